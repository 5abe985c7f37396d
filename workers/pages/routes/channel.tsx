import { Hono } from "hono";
import type { AppEnv } from "../../env";
import * as accounts from "../../services/accounts";
import * as channels from "../../services/channels";
import { channelPlaylists } from "../../services/playlists";
import { ChannelPage } from "../pages/channel";

/** `/channel/{id}`: the channel's public videos and the viewer's subscription. */
export const channelRoutes = new Hono<AppEnv>().get("/channel/:channel_id", async (c) => {
  const id = c.req.param("channel_id");
  const { db, user } = c.var;
  // A missing channel is a 404 from either lookup.
  const [found, list, subscribed, lists] = await Promise.all([
    accounts.channel(db, id),
    channels.channelVideos(db, id, new URL(c.req.url).origin, 1, 48),
    user ? channels.isSubscribed(db, user.id, id) : null,
    channelPlaylists(db, id, user, { page: 1, limit: 24 }),
  ]);
  return c.render(<ChannelPage channel={found} videos={list.items} subscribed={subscribed} playlists={lists.items} />, {
    title: found.name,
    scripts: ["channel"],
  });
});
