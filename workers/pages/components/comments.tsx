import type { AuthUser } from "../../env";
import type { CommentList, CommentOut } from "../../schemas/comments";
import { timeAgo } from "./format";

type Core = Omit<CommentOut, "replies">;

/**
 * One comment; its text is a text node (escaped by JSX), never HTML. A held one is listed
 * to its author alone, marked so. The watch script adds the actions (reply, delete, the
 * menu with "Block user") from the data attributes.
 */
const CommentItem = ({ comment, children }: { comment: Core; children?: unknown }) => (
  <li
    class={comment.status === "held" ? "comment held" : "comment"}
    data-comment-id={comment.id}
    data-author-id={comment.user?.id ?? ""}
    data-status={comment.status}
  >
    <div class="comment-head">
      <span class="comment-author">{comment.user?.username ?? "[deleted]"}</span>{" "}
      <time datetime={comment.created_at} class="muted">
        {timeAgo(comment.created_at)}
      </time>
      {comment.status === "held" ? (
        <>
          {" "}
          <span class="badge held-badge">Held for review</span>
        </>
      ) : null}
    </div>
    <p class="comment-body">{comment.content}</p>
    <div class="comment-actions" />
    {children as never}
  </li>
);

/**
 * The first page of comments, server-rendered; the watch script adds replies on demand,
 * posting, deleting and what arrives live from the room, from the <template> below.
 */
export const Comments = (props: { videoId: string; list: CommentList; count: number; user: AuthUser | undefined }) => (
  <section class="comments" aria-labelledby="comments-h" id="comments" data-video-id={props.videoId}>
    <h2 id="comments-h">
      Comments <span id="comment-count">{props.count}</span>
    </h2>
    {props.user ? (
      <form id="comment-form" class="stack comment-form">
        <label for="comment-input">Add a comment</label>
        <textarea id="comment-input" name="content" rows={3} maxlength={10000} required />
        <div class="row">
          <button type="submit">Comment</button>
          <span id="comment-error" class="form-error" role="alert" />
        </div>
      </form>
    ) : (
      <p>
        <a href={`/login?next=/watch/${props.videoId}`}>Sign in</a> to comment.
      </p>
    )}
    <p id="comments-live" class="muted" aria-live="polite" />
    <p id="comments-notice" role="status" />
    <ol id="comment-list" class="comment-list">
      {props.list.items.map((c) => (
        <CommentItem comment={c}>
          {c.reply_count ? (
            <>
              <ol class="replies">
                {(c.replies ?? []).map((r) => (
                  <CommentItem comment={r} />
                ))}
              </ol>
              {c.reply_count > (c.replies?.length ?? 0) ? (
                <button type="button" class="link-button load-replies" data-comment-id={c.id}>
                  View all {c.reply_count} replies
                </button>
              ) : null}
            </>
          ) : (
            <ol class="replies" />
          )}
        </CommentItem>
      ))}
    </ol>
    {props.list.items.length === 0 ? (
      <p class="empty" id="no-comments">
        No comments yet.
      </p>
    ) : null}
    <template id="comment-template">
      <li class="comment">
        <div class="comment-head">
          <span class="comment-author" /> <time class="muted" />{" "}
          <span class="badge held-badge" hidden>
            Held for review
          </span>
        </div>
        <p class="comment-body" />
        <div class="comment-actions" />
        <ol class="replies" />
      </li>
    </template>
  </section>
);
