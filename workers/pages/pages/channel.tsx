import type { AuthUser } from "../../env";
import type { channel } from "../../services/accounts";
import { formatCount } from "../components/format";
import { Layout } from "../components/layout";
import { type CardVideo, VideoSection } from "../components/video-card";

type Channel = Awaited<ReturnType<typeof channel>>;

export const ChannelPage = (props: {
  user: AuthUser | undefined;
  csrf: string | undefined;
  channel: Channel;
  videos: CardVideo[];
  /** null: signed out. */
  subscribed: boolean | null;
}) => {
  const own = props.user?.id === props.channel.owner_id;
  return (
    <Layout title={props.channel.name} user={props.user} csrf={props.csrf} scripts={["channel"]}>
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
        ) : props.user ? (
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
    </Layout>
  );
};
