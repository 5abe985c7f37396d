import { type Context, Hono } from "hono";
import type { AppEnv, AuthUser } from "../../env";
import { regionOf } from "../../lib/region";
import * as channels from "../../services/channels";
import { recommendationsFor } from "../../services/recommendations/recommend";
import { ALL_CATEGORIES, trendingList } from "../../services/trending";
import * as videos from "../../services/videos";
import { recommendationDeps, trendingDeps } from "../../wiring/deps";
import { reasonWords } from "../components/video-card";
import { HomePage } from "../pages/home";
import { orNull, ROW } from "./lists";

/** The viewer's recommendations, each saying why in words. */
async function recommended(c: Context<AppEnv>, user: AuthUser) {
  const deps = recommendationDeps(c.env, c.var.db, new URL(c.req.url).origin);
  const items = await recommendationsFor(deps, user, regionOf(c.req.raw), ROW);
  const watched = items.flatMap((v) => (v.reason.type === "because_you_watched" ? [v.reason.video_id] : []));
  const titles = new Map(
    (await videos.videoSummaries(c.var.db, [...new Set(watched)], deps.origin)).map((v) => [v.id, v.title]),
  );
  return items.map((v) => ({ ...v, because: reasonWords(v.reason, titles) }));
}

/** `/`: recommendations, trending, new from subscriptions, latest uploads (the rows that have videos). */
export const homeRoutes = new Hono<AppEnv>().get("/", async (c) => {
  const { db, user } = c.var;
  const here = new URL(c.req.url).origin;
  const region = regionOf(c.req.raw);
  const [latest, trending, recommendedList, subscriptions] = await Promise.all([
    videos.latestVideos(db, here, 24),
    orNull(
      c,
      "trending",
      trendingList(trendingDeps(c.env, db), { region, category: ALL_CATEGORIES, limit: ROW }, here),
    ),
    user ? orNull(c, "recommendations", recommended(c, user)) : undefined,
    user ? channels.subscriptionFeed(db, user.id, here, ROW) : undefined,
  ]);
  return c.render(
    <HomePage lists={{ recommended: recommendedList, trending: trending?.items ?? null, subscriptions, latest }} />,
    { title: "Home" },
  );
});
