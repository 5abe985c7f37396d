import type { PlaylistItemOut, PlaylistOut } from "../../schemas/playlists";
import { formatDuration, timeAgo } from "../components/format";
import { CsrfField } from "../components/layout";
import { listHref } from "../components/playlist-panel";

const VISIBILITY_WORDS = { public: "Public", unlisted: "Unlisted", private: "Private" } as const;

const plural = (n: number, word: string) => `${n.toLocaleString("en")} ${word}${n === 1 ? "" : "s"}`;

/** Count, length and visibility, as the list's header and cards say them. */
export const playlistFacts = (p: PlaylistOut) =>
  [plural(p.item_count, "video"), p.duration ? formatDuration(p.duration) : null, VISIBILITY_WORDS[p.visibility]]
    .filter(Boolean)
    .join(" · ");

/**
 * `/playlist/{id}`: the list in order. Its owner moves items up and down (forms, no script
 * needed) or drags them (web/client/playlist.ts), removes them, and edits or deletes the list.
 */
export const PlaylistPage = (props: {
  playlist: PlaylistOut;
  items: PlaylistItemOut[];
  nextCursor: string | null;
  own: boolean;
  notice?: string;
}) => {
  const { playlist, items, own } = props;
  const fixed = playlist.kind === "watch_later";
  return (
    <>
      <header class="playlist-header">
        <h1>{playlist.title}</h1>
        <p class="muted">
          <a href={`/channel/${playlist.owner.channel_id}`}>{playlist.owner.username}</a> · {playlistFacts(playlist)} ·
          updated {timeAgo(playlist.updated_at)}
        </p>
        {playlist.description ? <p class="description">{playlist.description}</p> : null}
        {props.notice ? <p role="status">{props.notice}</p> : null}
        {items.length ? (
          <p class="row">
            <a class="button" href={`/playlist/${playlist.id}/play`}>
              Play all
            </a>
            <a class="button" href={`/playlist/${playlist.id}/play?shuffle=1`}>
              Shuffle
            </a>
          </p>
        ) : null}
        {own ? (
          <details>
            <summary>Edit playlist</summary>
            <form action={`/playlist/${playlist.id}`} method="post" class="stack">
              <CsrfField />
              <label for="playlist-title">Title</label>
              <input
                id="playlist-title"
                name="title"
                value={playlist.title}
                maxlength={150}
                required
                readonly={fixed}
              />
              <label for="playlist-description">Description</label>
              <textarea id="playlist-description" name="description" rows={3} maxlength={5000}>
                {playlist.description}
              </textarea>
              <label for="playlist-visibility">Visibility</label>
              <select id="playlist-visibility" name="visibility" disabled={fixed}>
                {(["public", "unlisted", "private"] as const).map((v) => (
                  <option value={v} selected={v === playlist.visibility}>
                    {VISIBILITY_WORDS[v]}
                  </option>
                ))}
              </select>
              {fixed ? <p class="muted">Watch later is always private and keeps its name.</p> : null}
              <button type="submit">Save</button>
            </form>
            {fixed ? null : (
              <form action={`/playlist/${playlist.id}/delete`} method="post">
                <CsrfField />
                <button type="submit" class="danger">
                  Delete playlist
                </button>
              </form>
            )}
          </details>
        ) : null}
      </header>
      {items.length === 0 ? (
        <p class="empty">
          {own ? "Nothing here yet: use Save under a video to add it." : "There is nothing in this playlist."}
        </p>
      ) : (
        <ol
          class="playlist-items"
          id="playlist-items"
          data-playlist-id={playlist.id}
          data-editable={own ? "1" : undefined}
          aria-label="Videos"
        >
          {items.map((item) => (
            <li
              class="playlist-item"
              id={`item-${item.id}`}
              data-item-id={item.id}
              data-position={item.position}
              draggable={own ? "true" : undefined}
            >
              <span class="position" aria-hidden="true">
                {item.position}
              </span>
              <a
                href={listHref(item.video.id, playlist.id)}
                class="thumb-link"
                tabindex={-1}
                aria-label={item.video.title}
              >
                {item.video.thumbnail ? (
                  <img src={item.video.thumbnail} alt="" loading="lazy" width={160} height={90} />
                ) : (
                  <span class="thumb-placeholder small" />
                )}
                {item.video.duration ? <span class="duration">{formatDuration(item.video.duration)}</span> : null}
              </a>
              <div class="card-text">
                <a href={listHref(item.video.id, playlist.id)} class="card-title">
                  {item.video.title}
                </a>
                <a href={`/channel/${item.video.channel.id}`} class="card-channel">
                  {item.video.channel.name}
                </a>
              </div>
              {own ? (
                <div class="item-actions">
                  {(["up", "down"] as const).map((direction) => (
                    <form action={`/playlist/${playlist.id}/items/${item.id}/move`} method="post">
                      <CsrfField />
                      <input type="hidden" name="direction" value={direction} />
                      <button type="submit" aria-label={`Move ${item.video.title} ${direction}`}>
                        {direction === "up" ? "↑" : "↓"}
                      </button>
                    </form>
                  ))}
                  <form action={`/playlist/${playlist.id}/items/${item.id}/remove`} method="post">
                    <CsrfField />
                    <button type="submit" class="danger" aria-label={`Remove ${item.video.title}`}>
                      Remove
                    </button>
                  </form>
                </div>
              ) : null}
            </li>
          ))}
        </ol>
      )}
      {own && items.length > 1 ? (
        <p class="muted" id="drag-hint">
          Drag a video to move it, or use the arrows.
        </p>
      ) : null}
      <p id="playlist-status" role="status" class="muted" />
      {props.nextCursor ? (
        <p>
          <a href={`/playlist/${playlist.id}?cursor=${encodeURIComponent(props.nextCursor)}`}>More videos</a>
        </p>
      ) : null}
    </>
  );
};

/** `/playlists`: the signed-in user's playlists, Watch later first, and a form for a new one. */
export const MyPlaylistsPage = (props: { playlists: PlaylistOut[] }) => (
  <>
    <h1>Your playlists</h1>
    <ul class="playlist-cards">
      {props.playlists.map((p) => (
        <li class="playlist-card">
          <a href={`/playlist/${p.kind === "watch_later" ? "watch_later" : p.id}`} class="card-title">
            {p.title}
          </a>
          <span class="card-meta">{playlistFacts(p)}</span>
        </li>
      ))}
    </ul>
    <form action="/playlists" method="post" class="stack narrow-form">
      <h2>New playlist</h2>
      <CsrfField />
      <label for="new-playlist-title">Title</label>
      <input id="new-playlist-title" name="title" maxlength={150} required />
      <label for="new-playlist-visibility">Visibility</label>
      <select id="new-playlist-visibility" name="visibility">
        <option value="private">Private</option>
        <option value="unlisted">Unlisted</option>
        <option value="public">Public</option>
      </select>
      <button type="submit">Create</button>
    </form>
  </>
);

/** A channel's public playlists, as cards (the channel page). */
export const PlaylistCards = (props: { playlists: PlaylistOut[] }) =>
  props.playlists.length ? (
    <section aria-labelledby="h-playlists" class="video-section">
      <h2 id="h-playlists">Playlists</h2>
      <ul class="playlist-cards">
        {props.playlists.map((p) => (
          <li class="playlist-card">
            <a href={`/playlist/${p.id}`} class="card-title">
              {p.title}
            </a>
            <span class="card-meta">{playlistFacts(p)}</span>
          </li>
        ))}
      </ul>
    </section>
  ) : null;
