import { type Context, Hono } from "hono";
import type { AppEnv, AuthedEnv } from "../../env";
import { problem } from "../../lib/errors";
import { RATE_RULES, rateLimit } from "../../middleware/rate-limit";
import { channelAnalytics, videoAnalytics } from "../../services/analytics";
import { analyticsDeps } from "../../wiring/deps";
import { signedIn } from "../middleware";
import { ChannelAnalyticsPage, HOURLY_DAYS, RANGE_DAYS, VideoAnalyticsPage } from "../pages/studio-analytics";

const DAY = 86_400_000;

/**
 * The page's range (`?days=` of the offered ones, `?granularity=`) as the API's query: the
 * last `days` days up to now. A range the page does not offer is a 400 page saying what to pick.
 */
function pageRange(c: Context<AppEnv & AuthedEnv>) {
  const days = Number(c.req.query("days") ?? 28);
  const granularity = c.req.query("granularity") ?? "day";
  if (!RANGE_DAYS.includes(days as never) || (granularity !== "day" && granularity !== "hour")) {
    throw problem("validation_failed", { detail: `Choose a range of ${RANGE_DAYS.join(", ")} days, by day or hour.` });
  }
  if (granularity === "hour" && days > HOURLY_DAYS) {
    throw problem("validation_failed", { detail: `Figures by hour cover at most ${HOURLY_DAYS} days: pick by day.` });
  }
  return { days, granularity, query: { from: new Date(Date.now() - days * DAY).toISOString(), granularity } } as const;
}

/**
 * `/studio/videos/{video_id}/analytics` (the video's owner) and `/studio/analytics` (the
 * signed-in user's channel): the API's figures as tables, charts drawn over them by
 * web/client/analytics.ts. Others get the owner routes' answers (403; 404 for a private video).
 */
export const studioAnalyticsPageRoutes = new Hono<AppEnv>()
  .get("/studio/videos/:video_id/analytics", signedIn, rateLimit(RATE_RULES.analytics), async (c) => {
    const { days, granularity, query } = pageRange(c);
    const analytics = await videoAnalytics(analyticsDeps(c.env, c.var.db), c.var.user, c.req.param("video_id"), query);
    return c.render(<VideoAnalyticsPage analytics={analytics} days={days} granularity={granularity} />, {
      title: `Analytics: ${analytics.video.title}`,
      scripts: ["analytics"],
    });
  })
  .get("/studio/analytics", signedIn, rateLimit(RATE_RULES.analytics), async (c) => {
    const { days, granularity, query } = pageRange(c);
    const analytics = await channelAnalytics(analyticsDeps(c.env, c.var.db), c.var.user, query);
    return c.render(<ChannelAnalyticsPage analytics={analytics} days={days} granularity={granularity} />, {
      title: "Channel analytics",
      scripts: ["analytics"],
    });
  });
