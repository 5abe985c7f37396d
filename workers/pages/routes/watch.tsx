import { Hono } from "hono";
import type { AppEnv } from "../../env";
import { modulePreloads } from "../../lib/assets";
import { AppError } from "../../lib/errors";
import { regionOf } from "../../lib/region";
import { CommentsQuery } from "../../schemas/comments";
import * as channels from "../../services/channels";
import * as comments from "../../services/comments";
import { inlinePlaylists, playbackPreloads, playbackStart } from "../../services/media";
import { playContext } from "../../services/playlists";
import { statusOf } from "../../services/processing";
import { relatedTo } from "../../services/recommendations/recommend";
import * as videos from "../../services/videos";
import { commentStores, recommendationDeps, videoDeps } from "../../wiring/deps";
import { userHistoryOf } from "../../wiring/history";
import { WatchPage } from "../pages/watch";
import { orNull, ROW } from "./lists";

/** `/watch/{id}`: the player (or processing progress), comments, up next. */
export const watchRoutes = new Hono<AppEnv>().get("/watch/:video_id", async (c) => {
  const id = c.req.param("video_id");
  const { db, user } = c.var;
  const origin = new URL(c.req.url).origin;
  const video = await videos.watchData(db, id, user, origin, c.env.SIGNING_SECRET, (userId) =>
    userHistoryOf(c.env, userId),
  );
  const deps = recommendationDeps(c.env, db, origin);
  // `?list=`: the playlist beside the player (a list the viewer may not see is simply not shown).
  const listId = c.req.query("list");
  const seed = Number(c.req.query("shuffle"));
  const shuffle = Number.isInteger(seed) && seed >= 0 ? seed : undefined;
  const [list, status, upNext, access, subscribed, playing, start] = await Promise.all([
    comments.listComments(commentStores(c.env, db), id, user, CommentsQuery.parse({})),
    video.playable ? undefined : statusOf(db, id),
    orNull(c, "up next", relatedTo(deps, id, user, regionOf(c.req.raw), ROW)),
    user ? videos.accessOf(db, id) : undefined,
    user ? channels.isSubscribed(db, user.id, video.channel.id) : null,
    listId
      ? playContext(db, listId, user, id, origin, shuffle).catch((err: unknown) =>
          err instanceof AppError && err.status < 500 ? null : Promise.reject(err),
        )
      : null,
    video.playable && video.hls_url ? playbackStart(videoDeps(c.env, db), id) : undefined,
  ]);
  const token = video.hls_url ? new URL(video.hls_url).searchParams.get("token") : null;
  const expires = token?.split(".")[0];
  // The player's script and what it fetches first, all at once while the HTML arrives (and,
  // behind Cloudflare, as 103 Early Hints): the start rendition's first segment does not
  // wait for hls.js to be read.
  // A ready video's master and start playlists come with the HTML (they no longer change), so
  // the player's first requests are the segments.
  const playlists =
    video.hls_url && start && video.status === "ready" ? inlinePlaylists(video.hls_url, id, start) : null;
  const assets = c.var.assets;
  const preloads = [
    ...modulePreloads(assets, "player"),
    ...(video.hls_url && start ? playbackPreloads(video.hls_url, id, start, !!playlists) : []),
  ];
  if (preloads.length) c.header("Link", preloads.join(", "));
  return c.render(
    <WatchPage
      video={video}
      comments={list}
      related={upNext}
      own={!!user && access?.owner_id === user.id}
      subscribed={subscribed}
      processing={{ progress: status?.body.progress ?? 0, error: status?.body.error?.message ?? null }}
      playbackExpires={expires ? Number(expires) * 1000 : null}
      startLevel={start?.level ?? null}
      playlists={playlists}
      playing={playing ? { context: playing, shuffle } : null}
    />,
    // player.ts starts playback and loads the rest of the page (watch.ts; report.ts and save.ts
    // for a signed-in viewer; watch-list.ts beside a playlist; the site-wide script) after the
    // first frame.
    { title: video.title, scripts: ["player"], commonLater: true },
  );
});
