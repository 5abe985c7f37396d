import type { historyOf } from "../../services/history";
import { formatDuration } from "../components/format";
import { CsrfField } from "../components/layout";

type History = Awaited<ReturnType<typeof historyOf>>;

/** Resume points with progress bars; remove one, clear all, pause. Plain forms: no script needed. */
export const HistoryPage = (props: { history: History; paused: boolean }) => (
  <>
    <h1>Watch history</h1>
    <p>
      <a href="/playlist/watch_later">Watch later</a> · <a href="/playlists">Your playlists</a>
    </p>
    <div class="row">
      <form action="/history/paused" method="post">
        <CsrfField />
        <input type="hidden" name="paused" value={props.paused ? "false" : "true"} />
        <button type="submit">{props.paused ? "Resume history" : "Pause history"}</button>
      </form>
      <form action="/history/clear" method="post">
        <CsrfField />
        <button type="submit" disabled={props.history.items.length === 0}>
          Clear all history
        </button>
      </form>
    </div>
    {props.paused ? <p class="muted">History is paused: what you watch now is not remembered.</p> : null}
    {props.history.items.length === 0 ? (
      <p class="empty">Nothing here yet. Videos you watch appear here with the point where you stopped.</p>
    ) : (
      <ol class="history-list">
        {props.history.items.map((entry) => (
          <li class="history-item">
            <a href={`/watch/${entry.video.id}?t=${Math.floor(entry.position)}`} class="history-link">
              {entry.video.thumbnail_url ? (
                <img src={entry.video.thumbnail_url} alt="" width={160} height={90} loading="lazy" />
              ) : (
                <span class="thumb-placeholder small" />
              )}
              <span class="history-title">{entry.video.title}</span>
            </a>
            <span class="muted">
              {entry.video.channel.name} · stopped at {formatDuration(entry.position)} of{" "}
              {formatDuration(entry.duration)}
            </span>
            <progress
              max={100}
              value={Math.round(entry.percent)}
              aria-label={`Watched ${Math.round(entry.percent)}%`}
            />
            <form action="/history/remove" method="post">
              <CsrfField />
              <input type="hidden" name="video_id" value={entry.video.id} />
              <button type="submit" class="link-button" aria-label={`Remove ${entry.video.title} from history`}>
                Remove
              </button>
            </form>
          </li>
        ))}
      </ol>
    )}
  </>
);
