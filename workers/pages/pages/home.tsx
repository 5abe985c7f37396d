import { type CardVideo, VideoSection } from "../components/video-card";

export interface HomeLists {
  /**
   * Each row's videos; undefined: not for this viewer (the personal rows of an anonymous
   * visitor); null: it could not be loaded just now.
   */
  recommended?: CardVideo[] | null;
  trending: CardVideo[] | null;
  subscriptions?: CardVideo[] | null;
  latest: CardVideo[];
}

/**
 * The rows that have videos, in this order, then the rows that failed (each says so); an
 * empty row is left out, so a new visitor does not scroll past "nothing yet" to the first
 * video. Only a site with no video at all says so.
 */
export const HomePage = ({ lists }: { lists: HomeLists }) => {
  const rows = [
    { title: "Recommended for you", videos: lists.recommended },
    { title: "Trending", videos: lists.trending },
    { title: "New from your subscriptions", videos: lists.subscriptions },
    { title: "Latest uploads", videos: lists.latest },
  ];
  const filled = rows.filter((row) => row.videos?.length);
  const failed = rows.filter((row) => row.videos === null);
  return (
    <>
      <h1 class="visually-hidden">Home</h1>
      {[...filled, ...failed].map((row) => (
        <VideoSection title={row.title} videos={row.videos ?? null} />
      ))}
      {filled.length + failed.length === 0 ? (
        <p class="empty">
          No videos yet. <a href="/upload">Be the first to upload one.</a>
        </p>
      ) : null}
    </>
  );
};
