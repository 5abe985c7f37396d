import type { playContext } from "../../services/playlists";
import { formatDuration } from "./format";

export type PlayContext = Awaited<ReturnType<typeof playContext>>;

/** `/watch/{id}?list=` links, keeping the shuffle's seed. */
export const listHref = (videoId: string, playlistId: string, shuffle?: number) =>
  `/watch/${videoId}?list=${encodeURIComponent(playlistId)}${shuffle === undefined ? "" : `&shuffle=${shuffle}`}`;

/**
 * The list beside the player (`/watch/{id}?list=`): the playlist, the items around the video
 * playing (that one marked), and what plays next; web/client/watch-list.ts goes on to it when
 * the video ends, after a countdown the viewer can cancel.
 */
export const PlaylistPanel = (props: { context: PlayContext; videoId: string; shuffle?: number }) => {
  const { playlist, items, position, next } = props.context;
  const nextItem = next ? items.find((i) => i.video.id === next) : undefined;
  const nextHref = next ? listHref(next, playlist.id, props.shuffle) : "";
  return (
    <section
      class="playlist-panel"
      id="playlist-panel"
      aria-labelledby="playlist-panel-title"
      data-next-url={nextHref}
      data-next-title={nextItem?.video.title ?? (next ? "the next video" : "")}
    >
      <header>
        <h2 id="playlist-panel-title">
          <a href={`/playlist/${playlist.id}`}>{playlist.title}</a>
        </h2>
        <p class="muted">
          {playlist.owner.username} ·{" "}
          {position ? `${position} / ${playlist.item_count}` : `${playlist.item_count} videos`}
        </p>
        <p class="row">
          {props.shuffle === undefined ? (
            <a href={`/playlist/${playlist.id}/play?shuffle=1`} class="button" id="playlist-shuffle">
              Shuffle
            </a>
          ) : (
            <a href={listHref(props.videoId, playlist.id)} class="button" id="playlist-shuffle">
              Shuffle on (play in order)
            </a>
          )}
        </p>
      </header>
      <div id="autoplay-next" class="autoplay-next" role="status" hidden>
        <p>
          Up next in <span id="autoplay-seconds">5</span>: <strong id="autoplay-title" />
        </p>
        <div class="dialog-actions">
          <a class="button" id="autoplay-now" href={nextHref}>
            Play now
          </a>
          <button type="button" id="autoplay-cancel" class="secondary">
            Cancel
          </button>
        </div>
      </div>
      <ol class="panel-items" start={items[0]?.position ?? 1}>
        {items.map((item) => (
          <li
            class="panel-item"
            aria-current={item.video.id === props.videoId ? "true" : undefined}
            data-video-id={item.video.id}
          >
            <a href={listHref(item.video.id, playlist.id, props.shuffle)}>
              {item.video.thumbnail ? (
                <img src={item.video.thumbnail} alt="" loading="lazy" width={96} height={54} />
              ) : (
                <span class="thumb-placeholder small" />
              )}
              <span class="panel-title">{item.video.title}</span>
              <span class="muted">
                {item.video.channel.name}
                {item.video.duration ? ` · ${formatDuration(item.video.duration)}` : ""}
              </span>
            </a>
          </li>
        ))}
      </ol>
      {next ? null : <p class="muted">This is the end of the list.</p>}
    </section>
  );
};
