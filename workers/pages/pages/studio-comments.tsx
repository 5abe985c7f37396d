import type { CommentRules, HeldCommentList } from "../../schemas/comment-moderation";
import { HELD_WORD_CHARS, HELD_WORDS_MAX } from "../../schemas/comment-moderation";
import { timeAgo } from "../components/format";
import { CsrfField } from "../components/layout";

export interface BlockedUsers {
  items: { id: string; username: string; blocked_at: string }[];
  total: number;
}

/**
 * `/studio/comments`: the comments held for review on the channel's videos (approve or
 * delete), the channel's rules for holding them, and the users the owner blocked. Plain
 * forms: everything works without a script.
 */
export const StudioCommentsPage = (props: {
  held: HeldCommentList;
  rules: CommentRules;
  blocked: BlockedUsers;
  notice?: string;
  /** A rules form that was refused: why, and what was typed. */
  refused?: { error: string; words: string; holdLinks: boolean };
}) => {
  const { held, rules, blocked, notice, refused } = props;
  const words = refused?.words ?? rules.held_words.join("\n");
  const holdLinks = refused?.holdLinks ?? rules.hold_links;
  return (
    <>
      <h1>Comments</h1>
      <p>
        <a href="/studio">Back to your videos</a>
      </p>
      {notice ? <p role="status">{notice}</p> : null}

      <section aria-labelledby="held-h">
        <h2 id="held-h">
          Held for review <span class="muted">({held.total})</span>
        </h2>
        {held.items.length === 0 ? (
          <p class="empty">No comments are waiting for review.</p>
        ) : (
          <ul class="held-list">
            {held.items.map((c) => (
              <li class="held-item" data-comment-id={c.id}>
                <div class="comment-head">
                  <span class="comment-author">{c.user?.username ?? "[deleted]"}</span> on{" "}
                  <a href={`/watch/${c.video.id}`}>{c.video.title}</a>{" "}
                  <time datetime={c.created_at} class="muted">
                    {timeAgo(c.created_at)}
                  </time>
                  {c.parent_id ? <span class="muted"> · a reply</span> : null}
                </div>
                <p class="comment-body">{c.content}</p>
                <div class="row">
                  <form action={`/studio/comments/${c.id}/approve`} method="post">
                    <CsrfField />
                    <button type="submit" aria-label={`Approve ${c.user?.username ?? ""}'s comment`}>
                      Approve
                    </button>
                  </form>
                  <form action={`/studio/comments/${c.id}/delete`} method="post">
                    <CsrfField />
                    <button type="submit" class="danger" aria-label={`Delete ${c.user?.username ?? ""}'s comment`}>
                      Delete
                    </button>
                  </form>
                </div>
              </li>
            ))}
          </ul>
        )}
      </section>

      <section aria-labelledby="rules-h">
        <h2 id="rules-h">Held words</h2>
        <form action="/studio/comments/rules" method="post" class="stack">
          <CsrfField />
          <label for="held-words">Hold comments that contain these words or phrases (one per line)</label>
          <textarea id="held-words" name="held_words" rows={6} aria-describedby="held-words-help">
            {words}
          </textarea>
          <p id="held-words-help" class="muted">
            Whole words, whatever the case; spellings such as "b4d", "b.a.d" or "baaad" count too. At most{" "}
            {HELD_WORDS_MAX}, each up to {HELD_WORD_CHARS} characters.
          </p>
          <label>
            <input type="checkbox" name="hold_links" value="on" checked={holdLinks} /> Hold comments with links
          </label>
          {refused ? (
            <p class="form-error" role="alert">
              {refused.error}
            </p>
          ) : null}
          <div>
            <button type="submit">Save</button>
          </div>
        </form>
      </section>

      <section aria-labelledby="blocked-h">
        <h2 id="blocked-h">Blocked users</h2>
        {blocked.items.length === 0 ? (
          <p class="empty">You have not blocked anyone. Block someone from a comment's menu on a video's page.</p>
        ) : (
          <ul class="blocked-list">
            {blocked.items.map((u) => (
              <li class="row">
                <span>{u.username}</span>
                <time datetime={u.blocked_at} class="muted">
                  {timeAgo(u.blocked_at)}
                </time>
                <form action={`/studio/comments/blocked/${u.id}/unblock`} method="post">
                  <CsrfField />
                  <button type="submit" class="link-button" aria-label={`Unblock ${u.username}`}>
                    Unblock
                  </button>
                </form>
              </li>
            ))}
          </ul>
        )}
      </section>
    </>
  );
};
