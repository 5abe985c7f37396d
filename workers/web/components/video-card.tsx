import type { Child } from "hono/jsx";
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
  /** Recommendations say why (API.md `reason`). */
  reason?: { type: string } | null;
}

const REASONS: Record<string, string> = {
  because_you_watched: "Because you watched a similar video",
  subscribed: "From a channel you follow",
  similar_viewers: "Viewers like you watched this",
  trending: "Trending",
};

export const VideoCard = ({ video, title }: { video: CardVideo; title?: Child }) => (
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
      {video.reason && REASONS[video.reason.type] ? (
        <span class="card-reason">{REASONS[video.reason.type]}</span>
      ) : null}
    </div>
  </li>
);

/** A titled row of cards, or an honest sentence when there is nothing to show. */
export const VideoSection = (props: { title: string; videos: CardVideo[] | null; empty: string; children?: Child }) => {
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
        <p class="empty">{props.empty}</p>
      )}
      {props.children}
    </section>
  );
};
