import { type Context, Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import type { AppEnv } from "../env";
import { AppError } from "../lib/errors";
import { regionOf } from "../lib/region";
import { RATE_RULES, rateLimit } from "../middleware/rate-limit";
import { clearSession, setSession } from "../middleware/session";
import { LoginBody, RegisterBody } from "../schemas/accounts";
import { CommentsQuery } from "../schemas/comments";
import { DURATIONS, SearchQuery } from "../schemas/search";
import { VideoEditBody } from "../schemas/videos";
import * as accounts from "../services/accounts";
import * as channels from "../services/channels";
import * as comments from "../services/comments";
import { editHooks, recommendationDeps, tokenConfig, trendingDeps, videoDeps } from "../services/deps";
import * as history from "../services/history";
import { statusOf } from "../services/processing";
import { recommendationsFor, relatedTo } from "../services/recommendations/recommend";
import * as search from "../services/search";
import { ALL_CATEGORIES, trendingList } from "../services/trending";
import * as videos from "../services/videos";
import { reasonWords } from "./components/video-card";
import { pageHeaders, pageMiddleware, renderer, signedIn } from "./middleware";
import { ChannelPage } from "./pages/channel";
import { ErrorPage, errorMessage } from "./pages/errors";
import { HistoryPage } from "./pages/history";
import { HomePage } from "./pages/home";
import { LoginPage, safeNext } from "./pages/login";
import { SearchPage } from "./pages/search";
import { StudioPage } from "./pages/studio";
import { UploadPage } from "./pages/upload";
import { WatchPage } from "./pages/watch";

/** Every path the pages answer (kept out of /api: these are not API routes). */
export const PAGE_PATHS = [
  "/",
  "/watch/*",
  "/upload",
  "/search",
  "/history",
  "/history/*",
  "/channel/*",
  "/studio",
  "/studio/*",
  "/login",
  "/register",
  "/logout",
];

export const pageRoutes = new Hono<AppEnv>();

for (const path of PAGE_PATHS) pageRoutes.use(path, ...pageMiddleware);

const origin = (url: string) => new URL(url).origin;

pageRoutes.onError((err, c) => {
  // HTTPException: hono's own refusals (the origin check answers 403).
  const status = err instanceof AppError || err instanceof HTTPException ? err.status : 500;
  if (status >= 500) {
    console.error(
      JSON.stringify({ level: "error", msg: "page failed", request_id: c.var.requestId, error: String(err) }),
    );
  }
  const detail = err instanceof AppError && status < 500 && status !== 404 ? err.detail : undefined;
  c.status(status as 400);
  for (const [name, value] of Object.entries(err instanceof AppError ? (err.headers ?? {}) : {})) c.header(name, value);
  return c.render(<ErrorPage status={status} detail={detail} requestId={c.var.requestId} />, {
    title: errorMessage(status).title,
  });
});

/**
 * A list that is a page's side dish (recommendations, up next) must not take the page down
 * with it: its failure is logged and the row says it could not be loaded.
 */
async function orNull<T>(c: Context<AppEnv>, what: string, list: Promise<T>): Promise<T | null> {
  try {
    return await list;
  } catch (err) {
    console.error(
      JSON.stringify({ level: "error", msg: `${what} failed`, request_id: c.var.requestId, error: String(err) }),
    );
    return null;
  }
}

/** How many cards each of the home page's rows shows. */
const ROW = 12;

/** The viewer's recommendations, each saying why in words. */
async function recommended(c: Context<AppEnv>, user: NonNullable<AppEnv["Variables"]["user"]>) {
  const deps = recommendationDeps(c.env, c.var.db, origin(c.req.url));
  const items = await recommendationsFor(deps, user, regionOf(c.req.raw), ROW);
  const watched = items.flatMap((v) => (v.reason.type === "because_you_watched" ? [v.reason.video_id] : []));
  const titles = new Map(
    (await videos.videoSummaries(c.var.db, [...new Set(watched)], deps.origin)).map((v) => [v.id, v.title]),
  );
  return items.map((v) => ({ ...v, because: reasonWords(v.reason, titles) }));
}

pageRoutes.get("/", async (c) => {
  const { db, user } = c.var;
  const here = origin(c.req.url);
  const region = regionOf(c.req.raw);
  const [latest, trending, recommendedList, subscriptions] = await Promise.all([
    videos.latestVideos(db, here, 24),
    orNull(
      c,
      "trending",
      trendingList(trendingDeps(c.env, db), { region, category: ALL_CATEGORIES, limit: ROW }, here),
    ),
    user ? orNull(c, "recommendations", recommended(c, user)) : null,
    user ? channels.subscriptionFeed(db, user.id, here, ROW) : null,
  ]);
  return c.render(
    <HomePage lists={{ recommended: recommendedList, trending: trending?.items ?? null, subscriptions, latest }} />,
    { title: "Home" },
  );
});

pageRoutes.get("/watch/:video_id", async (c) => {
  const id = c.req.param("video_id");
  const { db, user } = c.var;
  const video = await videos.videoPage(db, id, user, origin(c.req.url), c.env.SIGNING_SECRET);
  const deps = recommendationDeps(c.env, db, origin(c.req.url));
  const [list, status, upNext] = await Promise.all([
    comments.listComments(db, id, user, CommentsQuery.parse({})),
    video.playable ? undefined : statusOf(db, id),
    orNull(c, "up next", relatedTo(deps, id, user, regionOf(c.req.raw), ROW)),
  ]);
  const token = video.hls_url ? new URL(video.hls_url).searchParams.get("token") : null;
  const expires = token?.split(".")[0];
  return c.render(
    <WatchPage
      video={video}
      playbackToken={token}
      comments={list}
      related={upNext}
      processing={{ progress: status?.body.progress ?? 0, error: status?.body.error?.message ?? null }}
      playbackExpires={expires ? Number(expires) * 1000 : null}
    />,
    {
      title: video.title,
      scripts: ["watch"],
      // The player asks for the master playlist only once its script has run; fetched now,
      // it is in the cache by then (hls.js's request matches: same URL, CORS, no credentials).
      preload: video.playable ? video.hls_url : null,
    },
  );
});

pageRoutes.get("/upload", signedIn, (c) => c.render(<UploadPage />, { title: "Upload", scripts: ["upload"] }));

pageRoutes.get("/search", async (c) => {
  const q = (c.req.query("q") ?? "").trim().slice(0, 200);
  const sort = c.req.query("sort") || "relevance";
  const duration = c.req.query("duration") || "";
  if (!q) return c.render(<SearchPage q="" sort={sort} duration={duration} results={null} />, { title: "Search" });
  const parsed = SearchQuery.safeParse({ q, sort, ...(duration ? { duration } : {}) });
  if (!parsed.success)
    throw new AppError(400, "validation_failed", "Bad request", "That sort or length is not offered.");
  const p = parsed.data;
  const results = await search.cachedSearch(
    c.var.db,
    {
      q: p.q,
      filters: { durationMs: p.duration ? DURATIONS[p.duration] : undefined },
      sort: p.sort,
      page: p.page,
      limit: p.limit,
    },
    origin(c.req.url),
  );
  return c.render(<SearchPage q={q} sort={p.sort} duration={duration} results={results} />, {
    title: `${q} - Search`,
    query: q,
  });
});

pageRoutes.get("/history", signedIn, async (c) => {
  const { user, db } = c.var;
  const [list, me] = await Promise.all([
    history.historyOf(db, user.id, origin(c.req.url), 50),
    accounts.me(db, user.id),
  ]);
  return c.render(<HistoryPage history={list} paused={me.history_paused} />, { title: "History" });
});

pageRoutes.post("/history/remove", signedIn, async (c) => {
  const videoId = (await c.req.parseBody()).video_id;
  if (typeof videoId !== "string" || !videoId) throw new AppError(400, "validation_failed", "Bad request", "No video.");
  await history.clearHistory(c.var.db, c.var.user.id, videoId);
  return c.redirect("/history", 303);
});

pageRoutes.post("/history/clear", signedIn, async (c) => {
  await history.clearHistory(c.var.db, c.var.user.id);
  return c.redirect("/history", 303);
});

pageRoutes.post("/history/paused", signedIn, async (c) => {
  const paused = (await c.req.parseBody()).paused === "true";
  await history.setHistoryPaused(c.var.db, c.var.user.id, paused);
  return c.redirect("/history", 303);
});

pageRoutes.get("/channel/:channel_id", async (c) => {
  const id = c.req.param("channel_id");
  const { db, user } = c.var;
  // A missing channel is a 404 from either lookup.
  const [found, list, subscribed] = await Promise.all([
    accounts.channel(db, id),
    channels.channelVideos(db, id, origin(c.req.url), 1, 48),
    user ? channels.isSubscribed(db, user.id, id) : null,
  ]);
  return c.render(<ChannelPage channel={found} videos={list.items} subscribed={subscribed} />, {
    title: found.name,
    scripts: ["channel"],
  });
});

pageRoutes.get("/studio", signedIn, async (c) => {
  const list = await videos.ownVideos(c.var.db, origin(c.req.url), c.var.user.id, 100);
  return c.render(<StudioPage videos={list} notice={c.req.query("notice")} />, { title: "Studio" });
});

pageRoutes.post("/studio/:video_id", signedIn, async (c) => {
  const form = await c.req.parseBody();
  const edit = VideoEditBody.safeParse({
    title: form.title,
    description: form.description,
    visibility: form.visibility,
  });
  if (!edit.success) {
    throw new AppError(400, "validation_failed", "Bad request", "The title or visibility is not valid.");
  }
  await videos.editVideo(c.var.db, c.var.user.id, c.req.param("video_id"), edit.data, editHooks(c.env, c.var.db));
  return c.redirect("/studio?notice=Saved", 303);
});

pageRoutes.post("/studio/:video_id/delete", signedIn, async (c) => {
  await videos.deleteVideo(videoDeps(c.env, c.var.db), c.var.user.id, c.req.param("video_id"));
  return c.redirect("/studio?notice=Deleted", 303);
});

pageRoutes.get("/login", (c) => {
  const next = safeNext(c.req.query("next"));
  if (c.var.user) return c.redirect(next);
  return c.render(<LoginPage next={next} />, { title: "Sign in" });
});

const formError = (err: unknown) => {
  if (err instanceof AppError && err.status < 500) {
    const fields = err.extra?.invalid_params as { name: string }[] | undefined;
    return {
      status: err.status,
      message: fields?.length ? `Check: ${fields.map((f) => f.name).join(", ")}.` : err.detail,
    };
  }
  throw err;
};

pageRoutes.post("/login", rateLimit(RATE_RULES.login), async (c) => {
  const form = await c.req.parseBody();
  const next = safeNext(form.next);
  const parsed = LoginBody.safeParse({ email: form.email, password: form.password });
  try {
    if (!parsed.success) throw new AppError(400, "validation_failed", "Bad request", "Enter your email and password.");
    const session = await accounts.login(c.var.db, tokenConfig(c.env), parsed.data);
    setSession(c, session.token, tokenConfig(c.env).ttlSeconds);
    return c.redirect(next, 303);
  } catch (err) {
    const { status, message } = formError(err);
    const email = typeof form.email === "string" ? form.email : "";
    c.status(status as 400);
    return c.render(<LoginPage next={next} error={message} form="login" email={email} />, { title: "Sign in" });
  }
});

pageRoutes.post("/register", rateLimit(RATE_RULES.register), async (c) => {
  const form = await c.req.parseBody();
  const next = safeNext(form.next);
  const parsed = RegisterBody.safeParse({ email: form.email, username: form.username, password: form.password });
  try {
    if (!parsed.success) {
      const names = [...new Set(parsed.error.issues.map((i) => i.path.join(".")))].join(", ");
      throw new AppError(400, "validation_failed", "Bad request", `Check: ${names}.`);
    }
    const session = await accounts.register(c.var.db, tokenConfig(c.env), parsed.data);
    setSession(c, session.token, tokenConfig(c.env).ttlSeconds);
    return c.redirect(next, 303);
  } catch (err) {
    const { status, message } = formError(err);
    const str = (v: unknown) => (typeof v === "string" ? v : "");
    c.status(status as 400);
    return c.render(
      <LoginPage next={next} error={message} form="register" email={str(form.email)} username={str(form.username)} />,
      { title: "Sign in" },
    );
  }
});

pageRoutes.post("/logout", (c) => {
  clearSession(c);
  return c.redirect("/", 303);
});

/** A path that is neither API, media nor a page: the HTML 404 for people, with the site's headers. */
export async function notFoundPage(c: Context<AppEnv>) {
  // No page middleware ran for a path that matched nothing: the frame and headers are set here.
  await renderer(c, async () => {});
  await pageHeaders(c, async () => {});
  c.status(404);
  return c.render(<ErrorPage status={404} />, { title: errorMessage(404).title });
}
