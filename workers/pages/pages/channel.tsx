import type { PlaylistOut } from "../../schemas/playlists";
import type { channel } from "../../services/accounts";
import { formatCount } from "../components/format";
import { useViewer } from "../components/layout";
import { type CardVideo, VideoSection } from "../components/video-card";
import { PlaylistCards } from "./playlist";

type Channel = Awaited<ReturnType<typeof channel>>;

export const ChannelPage = (props: {
  channel: Channel;
  videos: CardVideo[];
  /** null: signed out. */
  subscribed: boolean | null;
  /** The channel's public playlists. */
  playlists?: PlaylistOut[];
}) => {
  const user = useViewer();
  const own = user?.id === props.channel.owner_id;
  return (
    <>
      <header class="channel-header">
        <h1>
          {props.channel.name}
          {props.channel.verified ? <span title="Verified"> ✓</span> : null}
        </h1>
        <p class="muted">
          <span id="subscriber-count" data-count={props.channel.subscriber_count}>
            {formatCount(props.channel.subscriber_count, "subscriber")}
          </span>{" "}
          · {formatCount(props.channel.video_count, "video")}
        </p>
        {own ? (
          <a href="/studio">Manage your videos</a>
        ) : user ? (
          <>
            <button
              type="button"
              class="subscribe"
              data-channel-id={props.channel.id}
              aria-pressed={props.subscribed ? "true" : "false"}
            >
              {props.subscribed ? "Subscribed" : "Subscribe"}
            </button>
            <span id="subscribe-status" role="status" class="muted" />
          </>
        ) : (
          <a href={`/login?next=/channel/${props.channel.id}`}>Sign in to subscribe</a>
        )}
      </header>
      <VideoSection title="Videos" videos={props.videos} empty="This channel has no public videos yet." />
      <PlaylistCards playlists={props.playlists ?? []} />
    </>
  );
};
