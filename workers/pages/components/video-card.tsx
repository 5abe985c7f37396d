import type { Child } from "hono/jsx";
import type { Reason } from "../../services/recommendations/rank";
import { formatCount, formatDuration, timeAgo } from "./format";

/** What a card needs of a video summary (API.md), whichever list it came from. */
export interface CardVideo {
  id: string;
  title: string;
  duration: number | null;
  thumbnail: string | null;
  channel: { id: string; name: string; verified: boolean };
  view_count: number;
  published_at: string | null;
  /** Why a recommendation was made, in words (see `reasonWords`). */
  because?: string;
}

/**
 * A recommendation's reason (API.md `reason`) as the home page says it. `titles` holds the titles of the watched videos a reason may name; one that is no longer
 * public is not named (its title is not ours to show any more).
 */
export function reasonWords(reason: Reason, titles: ReadonlyMap<string, string>): string {
  switch (reason.type) {
    case "because_you_watched": {
      const title = titles.get(reason.video_id);
      return title ? `Because you watched ${title}` : "Because of what you watched";
    }
    case "subscribed":
      return "From your subscriptions";
    case "similar_viewers":
      return "Viewers like you also watched";
    case "trending":
      return "Trending";
  }
}

export const VideoCard = ({ video, title, extra }: { video: CardVideo; title?: Child; extra?: Child }) => (
  <li class="video-card">
    <a href={`/watch/${video.id}`} class="thumb-link" tabindex={-1} aria-label={video.title}>
      {video.thumbnail ? (
        <img src={video.thumbnail} alt="" loading="lazy" width={320} height={180} />
      ) : (
        <span class="thumb-placeholder" />
      )}
      {video.duration ? <span class="duration">{formatDuration(video.duration)}</span> : null}
    </a>
    <div class="card-text">
      <a href={`/watch/${video.id}`} class="card-title">
        {title ?? video.title}
      </a>
      <a href={`/channel/${video.channel.id}`} class="card-channel">
        {video.channel.name}
        {video.channel.verified ? <span title="Verified"> ✓</span> : null}
      </a>
      <span class="card-meta">
        {formatCount(video.view_count, "view")}
        {video.published_at ? ` · ${timeAgo(video.published_at)}` : ""}
      </span>
      {video.because ? <span class="card-reason">{video.because}</span> : null}
      {extra}
    </div>
  </li>
);

/**
 * A titled row of cards, or an honest sentence when there is nothing to show (`empty`);
 * `videos` is null when the list could not be had (a page still renders when one of its
 * lists fails).
 */
export const VideoSection = (props: {
  title: string;
  videos: CardVideo[] | null;
  empty?: string;
  children?: Child;
}) => {
  const headingId = `h-${props.title.toLowerCase().replace(/[^a-z]+/g, "-")}`;
  return (
    <section aria-labelledby={headingId} class="video-section">
      <h2 id={headingId}>{props.title}</h2>
      {props.videos?.length ? (
        <ul class="video-grid">
          {props.videos.map((v) => (
            <VideoCard video={v} />
          ))}
        </ul>
      ) : (
        <p class="empty">{props.videos ? props.empty : "This list could not be loaded just now."}</p>
      )}
      {props.children}
    </section>
  );
};
