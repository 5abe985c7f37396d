import type { CommentList } from "../../schemas/comments";
import type { watchData } from "../../services/videos";
import { Comments } from "../components/comments";
import { formatCount, timeAgo } from "../components/format";
import { useViewer } from "../components/layout";
import { Player, Processing } from "../components/player";
import { type PlayContext, PlaylistPanel } from "../components/playlist-panel";
import { ReportDialog } from "../components/report";
import { SaveButton, SaveDialog } from "../components/save-menu";
import { type CardVideo, VideoSection } from "../components/video-card";

export type WatchVideo = Awaited<ReturnType<typeof watchData>>;

export interface WatchProps {
  video: WatchVideo;
  comments: CommentList;
  related: CardVideo[] | null;
  /** The viewer owns the video (and its channel): no subscribe button, a way to the studio. */
  own: boolean;
  /** Whether the viewer subscribes to the video's channel; null: signed out. */
  subscribed: boolean | null;
  /** Processing progress (0-100) and failure, for a video that does not play yet. */
  processing: { progress: number; error: string | null };
  /** When a private video's playback token runs out (ms since the epoch). */
  playbackExpires: number | null;
  /** `?list=`: the playlist playing, shown beside the player; null without one. */
  playing?: { context: PlayContext; shuffle?: number } | null;
  /** The player's start level (services/media.ts, playbackStart), whose first files the page preloads. */
  startLevel: number | null;
  /** The master and start playlists by URL (services/media.ts, inlinePlaylists), handed to the player; null: fetched. */
  playlists?: Record<string, string> | null;
}

export const WatchPage = (props: WatchProps) => {
  const { video, comments, related, processing, playbackExpires, own, subscribed, startLevel, playlists } = props;
  const user = useViewer();
  // Present only for the owner of a blocked video (everyone else got a 451 page).
  const blocked = "blocked" in video ? video.blocked : undefined;
  return (
    <div class="watch-layout">
      <article
        class="watch"
        id="watch"
        data-video-id={video.id}
        data-hls={video.hls_url ?? ""}
        data-resume={video.resume_position ?? ""}
        data-signed-in={user ? "1" : ""}
        data-user-id={user?.id ?? ""}
        data-playback-expires={playbackExpires ?? ""}
        data-start-level={startLevel ?? ""}
      >
        <div class="player-area">
          {blocked ? (
            <p class="blocked-notice" role="note">
              A moderator blocked this video: {blocked.reason}. Only you can see this page; nobody can play the video.
            </p>
          ) : video.playable && video.hls_url ? (
            <Player
              title={video.title}
              poster={video.thumbnails.large ?? video.thumbnails.default}
              posterInline={video.poster_inline}
              storyboardVtt={video.thumbnails.storyboard?.vtt ?? null}
              captions={video.captions.flatMap((c) =>
                c.url ? [{ language: c.language, label: c.label, url: c.url }] : [],
              )}
            />
          ) : (
            <Processing status={video.status} progress={processing.progress} failed={processing.error} />
          )}
          {playlists && !blocked ? (
            // Inert data for the player (not a script the CSP runs); "<" escaped so no text ends the element.
            <script
              type="application/json"
              id="hls-playlists"
              dangerouslySetInnerHTML={{ __html: JSON.stringify(playlists).replaceAll("<", "\\u003c") }}
            />
          ) : null}
        </div>
        <h1 class="video-title">{video.title}</h1>
        <div class="video-bar">
          <div class="channel-line">
            <a href={`/channel/${video.channel.id}`} class="channel-name">
              {video.channel.name}
            </a>
            {own ? (
              <a href="/studio">Manage your videos</a>
            ) : user ? (
              <button
                type="button"
                class="subscribe"
                data-channel-id={video.channel.id}
                aria-pressed={subscribed ? "true" : "false"}
              >
                {subscribed ? "Subscribed" : "Subscribe"}
              </button>
            ) : null}
          </div>
          <div class="actions">
            <button type="button" id="like" aria-pressed="false" disabled={!user} data-value="1">
              Like <span id="like-count">{video.like_count}</span>
            </button>
            <button type="button" id="dislike" aria-pressed="false" disabled={!user} data-value="-1">
              Dislike <span id="dislike-count">{video.dislike_count}</span>
            </button>
            <button type="button" id="share">
              Share
            </button>
            <SaveButton videoId={video.id} signedIn={!!user} />
            <span id="share-status" role="status" class="muted" />
            {own ? null : user ? (
              <button type="button" class="report" data-report-type="video" data-report-id={video.id}>
                Report
              </button>
            ) : (
              <a class="report" href={`/login?next=${encodeURIComponent(`/watch/${video.id}`)}`}>
                Report
              </a>
            )}
          </div>
        </div>
        <p class="muted">
          <span id="view-count">{formatCount(video.view_count, "view")}</span>
          {video.published_at ? ` · ${timeAgo(video.published_at)}` : ""}
          {video.visibility !== "public" ? ` · ${video.visibility}` : ""}
          <span id="viewers" />
        </p>
        {video.description ? <p class="description">{video.description}</p> : null}
        {video.tags.length ? (
          <ul class="tags" aria-label="Tags">
            {video.tags.map((t) => (
              <li>
                <a href={`/search?q=${encodeURIComponent(t)}`}>#{t}</a>
              </li>
            ))}
          </ul>
        ) : null}
        <div class="live-controls">
          <button type="button" id="live-view" class="secondary" aria-pressed="false">
            Top comments
          </button>
          <span id="live-settings" class="muted" role="status" />
        </div>
        <Comments videoId={video.id} list={comments} count={video.comment_count} user={user} />
        {user ? <ReportDialog /> : null}
        {user ? <SaveDialog videoId={video.id} /> : null}
      </article>
      <aside class="up-next">
        {props.playing ? (
          <PlaylistPanel context={props.playing.context} videoId={video.id} shuffle={props.playing.shuffle} />
        ) : null}
        <VideoSection title="Up next" videos={related} empty="No related videos yet." />
      </aside>
    </div>
  );
};
