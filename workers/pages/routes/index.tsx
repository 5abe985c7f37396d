import { type Context, Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import type { AppEnv } from "../../env";
import { AppError } from "../../lib/errors";
import { errorField, log } from "../../lib/log";
import { pageAssets, pageHeaders, pageMiddleware, renderer } from "../middleware";
import { ErrorPage, errorMessage } from "../pages/errors";
import { accountRoutes } from "./account";
import { channelRoutes } from "./channel";
import { historyRoutes } from "./history";
import { homeRoutes } from "./home";
import { moderationRoutes } from "./moderation";
import { playlistPageRoutes } from "./playlists";
import { searchRoutes } from "./search";
import { studioRoutes } from "./studio";
import { studioAnalyticsPageRoutes } from "./studio-analytics";
import { studioCommentRoutes } from "./studio-comments";
import { uploadRoutes } from "./upload";
import { watchRoutes } from "./watch";
import { webhookPageRoutes } from "./webhooks";

/** Every path the pages answer (kept out of /api: these are not API routes). */
export const PAGE_PATHS = [
  "/",
  "/watch/*",
  "/upload",
  "/search",
  "/history",
  "/history/*",
  "/channel/*",
  "/playlist/*",
  "/playlists",
  "/studio",
  "/studio/*",
  "/moderation",
  "/moderation/*",
  "/login",
  "/register",
  "/logout",
];

/** The pages: one sub-app per page group, behind the same middleware on the paths above. */
export const pageRoutes = new Hono<AppEnv>();

for (const path of PAGE_PATHS) pageRoutes.use(path, ...pageMiddleware);

pageRoutes
  .route("/", homeRoutes)
  .route("/", watchRoutes)
  .route("/", uploadRoutes)
  .route("/", searchRoutes)
  .route("/", historyRoutes)
  .route("/", channelRoutes)
  .route("/", playlistPageRoutes)
  // Before the studio's /studio/{video_id} forms, which would take /studio/webhooks.
  .route("/", webhookPageRoutes)
  .route("/", studioAnalyticsPageRoutes)
  .route("/", studioRoutes)
  .route("/", moderationRoutes)
  .route("/", studioCommentRoutes)
  .route("/", accountRoutes);

pageRoutes.onError((err, c) => {
  // HTTPException: hono's own refusals (the origin check answers 403).
  const status = err instanceof AppError || err instanceof HTTPException ? err.status : 500;
  if (status >= 500) {
    log("error", "page failed", { request_id: c.var.requestId, error: errorField(err) });
  }
  const detail = err instanceof AppError && status < 500 && status !== 404 ? err.detail : undefined;
  c.status(status as 400);
  for (const [name, value] of Object.entries(err instanceof AppError ? (err.headers ?? {}) : {})) c.header(name, value);
  return c.render(<ErrorPage status={status} detail={detail} requestId={c.var.requestId} />, {
    title: errorMessage(status).title,
  });
});

/** A path that is neither API, media nor a page: the HTML 404 for people, with the site's headers. */
export async function notFoundPage(c: Context<AppEnv>) {
  // No page middleware ran for a path that matched nothing: the frame and headers are set here.
  await renderer(c, async () => {});
  await pageHeaders(c, async () => {});
  await pageAssets(c, async () => {});
  c.status(404);
  return c.render(<ErrorPage status={404} />, { title: errorMessage(404).title });
}
