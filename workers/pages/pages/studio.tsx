import type { ListedVideo } from "../../services/videos";
import { formatCount } from "../components/format";
import { CsrfField } from "../components/layout";

/** The signed-in user's videos in every state: edit details and visibility, delete. */
/** A caption track's language (a BCP 47 tag), as both captions forms ask for it. */
const LanguageInput = (props: { id: string }) => (
  <input id={props.id} name="language" value="en" maxlength={35} pattern="[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*" required />
);

export const StudioPage = (props: { videos: ListedVideo[]; notice?: string }) => (
  <>
    <h1>Your videos</h1>
    <p>
      <a href="/studio/comments">Comments held for review, held words and blocked users</a>
    </p>
    <p>
      <a href="/studio/webhooks">Webhooks</a>: tell your server when a video is ready.
    </p>
    <p>
      <a href="/studio/analytics">Channel analytics</a>: views, watch time and where viewers came from.
    </p>
    {props.notice ? <p role="status">{props.notice}</p> : null}
    {props.videos.length === 0 ? (
      <p class="empty">
        You have not uploaded anything yet. <a href="/upload">Upload a video</a>.
      </p>
    ) : (
      <ul class="studio-list">
        {props.videos.map((v) => (
          <li class="studio-item">
            <div class="studio-head">
              <a href={`/watch/${v.id}`}>{v.title}</a>
              <span class={`badge status-${v.status}`}>
                {v.status === "processing" ? `processing ${v.progress}%` : v.status}
              </span>
              <span class="badge">{v.visibility}</span>
              {v.blocked ? <span class="badge status-failed">blocked</span> : null}
              <span class="muted">{formatCount(v.view_count, "view")}</span>
              <a href={`/studio/videos/${v.id}/analytics`} aria-label={`Analytics: ${v.title}`}>
                Analytics
              </a>
            </div>
            {v.blocked ? (
              <p class="blocked-notice" role="note">
                A moderator blocked this video: {v.blocked.reason}. Nobody else can watch it or find it.
              </p>
            ) : null}
            <details>
              <summary>Edit</summary>
              <form action={`/studio/${v.id}`} method="post" class="stack">
                <CsrfField />
                <label for={`title-${v.id}`}>Title</label>
                <input id={`title-${v.id}`} name="title" value={v.title} maxlength={100} required />
                <label for={`description-${v.id}`}>Description</label>
                <textarea id={`description-${v.id}`} name="description" rows={3} maxlength={5000}>
                  {v.description}
                </textarea>
                <label for={`visibility-${v.id}`}>Visibility</label>
                <select id={`visibility-${v.id}`} name="visibility">
                  {(["public", "unlisted", "private"] as const).map((option) => (
                    <option value={option} selected={option === v.visibility}>
                      {option}
                    </option>
                  ))}
                </select>
                <button type="submit">Save</button>
              </form>
            </details>
            <details>
              <summary>Captions</summary>
              <form
                action={`/studio/${v.id}/captions`}
                method="post"
                enctype="multipart/form-data"
                class="stack"
                aria-label={`Captions for ${v.title}`}
              >
                <CsrfField />
                <label for={`captions-file-${v.id}`}>WebVTT or SRT file (at most 2 MB)</label>
                <input
                  id={`captions-file-${v.id}`}
                  name="file"
                  type="file"
                  accept=".vtt,.srt,text/vtt,application/x-subrip"
                  required
                />
                <label for={`captions-language-${v.id}`}>Language (BCP 47: en, pt-BR)</label>
                <LanguageInput id={`captions-language-${v.id}`} />
                <label for={`captions-label-${v.id}`}>Name in the player's menu (optional)</label>
                <input id={`captions-label-${v.id}`} name="label" maxlength={80} placeholder="English" />
                <button type="submit">Upload captions</button>
              </form>
              {v.status === "ready" ? (
                <form
                  action={`/studio/${v.id}/captions/generate`}
                  method="post"
                  class="stack"
                  aria-label={`Generate captions: ${v.title}`}
                >
                  <CsrfField />
                  <label for={`auto-language-${v.id}`}>Or have them made from what is said (language)</label>
                  <LanguageInput id={`auto-language-${v.id}`} />
                  <button type="submit">Generate captions</button>
                </form>
              ) : null}
            </details>
            <form action={`/studio/${v.id}/delete`} method="post">
              <CsrfField />
              <button type="submit" class="danger" aria-label={`Delete ${v.title}`}>
                Delete
              </button>
            </form>
          </li>
        ))}
      </ul>
    )}
  </>
);
