import { useViewer } from "../components/layout";
import { type CardVideo, VideoSection } from "../components/video-card";

export interface HomeLists {
  /** null: not shown to this viewer (anonymous), or it could not be loaded just now. */
  recommended: CardVideo[] | null;
  trending: CardVideo[] | null;
  subscriptions: CardVideo[] | null;
  latest: CardVideo[];
}

export const HomePage = ({ lists }: { lists: HomeLists }) => {
  const user = useViewer();
  return (
    <>
      <h1 class="visually-hidden">Home</h1>
      {user ? (
        <VideoSection
          title="Recommended for you"
          videos={lists.recommended}
          empty="No recommendations yet: watch a few videos and they will appear here."
        />
      ) : null}
      <VideoSection title="Trending" videos={lists.trending} empty="Nothing trending yet." />
      {user ? (
        <VideoSection
          title="New from your subscriptions"
          videos={lists.subscriptions}
          empty="Nothing new from the channels you subscribe to."
        />
      ) : null}
      <VideoSection title="Latest uploads" videos={lists.latest} empty="No videos yet. Be the first to upload one." />
    </>
  );
};
