import { createExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import worker from "../../workers/index";
import { LOCAL_TABLE, rebuildRollup } from "../../workers/storage/analytics-local";
import { analyticsQueryFromEnv } from "../../workers/wiring/analytics";
import {
  api,
  type Caller,
  catalogueVideo,
  earlyInRateWindow,
  expectProblem,
  freshIp,
  registerUser,
  type TestUser,
} from "./fixtures";

const DAY = 86_400_000;
const HOUR = 3600_000;

const UA = {
  iphone: "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148",
  desktop: "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/120.0 Safari/537.36",
  curl: "curl/8.5.0",
};

interface Ev {
  type: string;
  position: number;
  startup_ms?: number;
  rebuffer_ms?: number;
  error_code?: string;
}

/** One player's session, POSTed through the real beacon route as a browser's player sends it. */
async function play(videoId: string, session: string, events: Ev[], opts: { source?: string; ua: string }) {
  const at = new Date().toISOString();
  const res = await api(`/api/v1/videos/${videoId}/playback-events`, {
    method: "POST",
    json: { session_id: session, source: opts.source, events: events.map((e) => ({ ...e, at })) },
    headers: { "User-Agent": opts.ua },
  });
  expect(res.status).toBe(204);
}

const beats = (...positions: number[]): Ev[] => positions.map((position) => ({ type: "heartbeat", position }));
const tens = (to: number) => Array.from({ length: to / 10 }, (_, i) => (i + 1) * 10);

/**
 * Four sessions of a 100 s video, hand-computed:
 *   S1 search, phone:    start (400 ms), plays to 50 s, pauses at 55 s      -> reached 55%, 50 s watched
 *   S2 home, desktop:    start (600 ms), plays 20 s with a 1 s stall        -> reached 20%, 20 s watched
 *   S3 search, desktop:  start (2000 ms), plays to the end                  -> reached 100%, 100 s watched
 *   S4 (direct), curl:   fails before its first frame (no start)            -> no view, a session with an error
 * Views 3, watch time 170 s, average 56.7 s; startup p50 600, p95 2000; rebuffering 1 s / 170 s; errors 1 in 4.
 */
async function fourSessions(videoId: string) {
  const id = () => `s-${crypto.randomUUID()}`;
  await play(
    videoId,
    id(),
    [{ type: "start", position: 0, startup_ms: 400 }, ...beats(10, 20, 30, 40, 50), { type: "pause", position: 55 }],
    { source: "search", ua: UA.iphone },
  );
  await play(
    videoId,
    id(),
    [
      { type: "start", position: 0, startup_ms: 600 },
      ...beats(10),
      { type: "rebuffer", position: 12, rebuffer_ms: 1000 },
      ...beats(20),
    ],
    { source: "home", ua: UA.desktop },
  );
  await play(
    videoId,
    id(),
    [{ type: "start", position: 0, startup_ms: 2000 }, ...beats(...tens(100)), { type: "end", position: 100 }],
    { source: "search", ua: UA.desktop },
  );
  await play(videoId, id(), [{ type: "error", position: 0, error_code: "media_network" }], { ua: UA.curl });
}

const analytics = (videoId: string, as?: Caller, query = "") =>
  api(`/api/v1/studio/videos/${videoId}/analytics${query}`, { as });

async function figures(videoId: string, as: TestUser, query = "") {
  const res = await analytics(videoId, as, query);
  expect(res.status, await res.clone().text()).toBe(200);
  return (await res.json()) as Record<string, any>;
}

const video = (owner: TestUser, spec: { visibility?: "public" | "unlisted" | "private"; title?: string } = {}) =>
  catalogueVideo(owner, { title: spec.title ?? "Analytics target", duration: 100, visibility: spec.visibility });

describe("GET /studio/videos/{id}/analytics", () => {
  it("answers the owner every figure, computed from the events the player sent, over the last 28 days by default", async () => {
    const owner = await registerUser();
    const videoId = await video(owner, { title: "Counted" });
    await fourSessions(videoId);
    const before = Date.now();
    const body = await figures(videoId, owner);

    expect(body.video).toEqual({ id: videoId, title: "Counted", duration: 100 });
    // The defaults: to = now, from = 28 days before, by day.
    const [from, to] = [Date.parse(body.from), Date.parse(body.to)];
    expect(to).toBeGreaterThanOrEqual(before - 1000);
    expect(to).toBeLessThanOrEqual(Date.now());
    expect(to - from).toBe(28 * DAY);
    expect(body.granularity).toBe("day");
    // Every day bucket of the range, from the one holding `from` to the one holding now.
    expect(body.views[0].t).toBe(new Date(Math.floor(from / DAY) * DAY).toISOString());
    expect(body.views.at(-1).t).toBe(new Date(Math.floor((to - 1) / DAY) * DAY).toISOString());
    expect(
      body.views.every(
        (b: { t: string }, i: number) => i === 0 || Date.parse(b.t) - Date.parse(body.views[i - 1].t) === DAY,
      ),
    ).toBe(true);
    expect(body.views.at(-1)).toMatchObject({ views: 3, watch_seconds: 170 });
    expect(body.views.slice(0, -1).every((b: { views: number }) => b.views === 0)).toBe(true);

    expect(body.totals).toEqual({ views: 3, watch_seconds: 170 });
    expect(body.average_view_seconds).toBeCloseTo(170 / 3, 9);
    expect(body.retention).toHaveLength(100);
    const expected = Array.from({ length: 100 }, (_, i) => (i <= 20 ? 1 : i <= 55 ? 2 / 3 : 1 / 3));
    for (let i = 0; i < 100; i++) expect(body.retention[i], `retention[${i}]`).toBeCloseTo(expected[i]!, 9);
    expect(body.sources).toEqual([
      { source: "search", views: 2 },
      { source: "home", views: 1 },
    ]);
    expect(body.devices).toEqual([
      { device: "desktop", views: 2 },
      { device: "mobile", views: 1 },
    ]);
    // No country from Cloudflare in tests: the unknown region.
    expect(body.regions).toEqual([{ region: "ZZ", views: 3 }]);
    expect(body.quality.startup_ms_p50).toBe(600);
    expect(body.quality.startup_ms_p95).toBe(2000);
    expect(body.quality.rebuffer_ratio).toBeCloseTo(1 / 170, 9);
    expect(body.quality.error_rate).toBe(0.25);
    expect(body.sampled).toBe(false);
  });

  it("buckets by hour on request, and answers zeros (and no percentiles) for a range without events", async () => {
    const owner = await registerUser();
    const videoId = await video(owner);
    await fourSessions(videoId);
    const from = new Date(Date.now() - 2 * HOUR).toISOString();
    const hourly = await figures(videoId, owner, `?granularity=hour&from=${from}`);
    expect(hourly.granularity).toBe("hour");
    expect(hourly.views).toHaveLength(3);
    expect(hourly.views.at(-1)).toMatchObject({ views: 3, watch_seconds: 170 });
    expect(hourly.views[0].t).toBe(new Date(Math.floor(Date.parse(from) / HOUR) * HOUR).toISOString());

    const quiet = await figures(videoId, owner, "?from=2026-01-01&to=2026-01-02");
    expect(quiet).toMatchObject({
      from: "2026-01-01T00:00:00.000Z",
      to: "2026-01-02T00:00:00.000Z",
      views: [{ t: "2026-01-01T00:00:00.000Z", views: 0, watch_seconds: 0 }],
      totals: { views: 0, watch_seconds: 0 },
      average_view_seconds: 0,
      sources: [],
      regions: [],
      devices: [],
      quality: { startup_ms_p50: null, startup_ms_p95: null, rebuffer_ratio: 0, error_rate: 0 },
      sampled: false,
    });
    expect(quiet.retention).toEqual(new Array(100).fill(0));
  });

  it("says sampled: true when the store kept some events as standing for several, and weights them", async () => {
    const owner = await registerUser();
    const videoId = await video(owner);
    await fourSessions(videoId);
    // What Analytics Engine answers when it kept 1 in 4 of a video's points: one more start, standing for 4.
    await env.ANALYTICS_LOCAL.prepare(
      `INSERT INTO ${LOCAL_TABLE} SELECT timestamp, index1, blob1, 'sampled-session', blob3, blob4, blob5, blob6, blob7,
         blob8, double1, double2, double3, double4, double5, double6, 4
       FROM ${LOCAL_TABLE} WHERE index1 = ? AND blob1 = 'start' AND blob3 = 'home'`,
    )
      .bind(videoId)
      .run();
    await rebuildRollup(env.ANALYTICS_LOCAL); // rows written by hand are folded by the backfill
    const body = await figures(videoId, owner);
    expect(body.sampled).toBe(true);
    expect(body.totals.views).toBe(7);
    expect(body.sources).toEqual([
      { source: "home", views: 5 },
      { source: "search", views: 2 },
    ]);
  });

  it("is the owner's alone: 401 without an account, 403 to another user or a moderator, 404 for someone else's private video", async () => {
    const owner = await registerUser();
    const videoId = await video(owner);
    const hidden = await video(owner, { visibility: "private" });
    const stranger = await registerUser();
    const moderator = await registerUser();
    await env.DB.prepare("UPDATE users SET role = 'moderator' WHERE id = ?").bind(moderator.id).run();
    await expectProblem(await analytics(videoId), 401, "unauthorized");
    await expectProblem(await analytics(videoId, stranger), 403, "forbidden");
    await expectProblem(await analytics(videoId, moderator), 403, "forbidden");
    await expectProblem(await analytics(hidden, stranger), 404, "not_found");
    await expectProblem(await analytics("nosuchvideo000", owner), 404, "not_found");
    // Its owner sees a private video's figures.
    expect((await analytics(hidden, owner)).status).toBe(200);
  });

  it("is rate limited per user: 60 reads a minute, then 429 with Retry-After", async () => {
    const owner = await registerUser();
    const videoId = await video(owner);
    await earlyInRateWindow();
    for (let i = 0; i < 60; i++) expect((await analytics(videoId, owner)).status).toBe(200);
    const limited = await analytics(videoId, owner);
    await expectProblem(limited, 429, "rate_limited");
    expect(limited.headers.get("Retry-After")).toBeTruthy();
  }, 90_000);
});

describe("GET /studio/analytics (the caller's channel)", () => {
  it("totals every video of the channel and nothing else, with its top videos by views (a deleted one untitled)", async () => {
    const owner = await registerUser();
    const [popular, quiet] = [await video(owner, { title: "Popular" }), await video(owner, { title: "Quiet" })];
    const someoneElses = await video(await registerUser());
    const start = (id: string, source: string) =>
      play(id, `s-${crypto.randomUUID()}`, [{ type: "start", position: 0, startup_ms: 500 }, ...beats(10, 20)], {
        source,
        ua: UA.desktop,
      });
    await start(popular, "home");
    await start(popular, "search");
    await start(quiet, "home");
    await start(someoneElses, "home");

    const res = await api("/api/v1/studio/analytics", { as: owner });
    expect(res.status).toBe(200);
    const body = (await res.json()) as Record<string, any>;
    expect(body.channel).toEqual({ id: owner.channel_id, name: expect.any(String) });
    expect(body.totals).toEqual({ views: 3, watch_seconds: 60 });
    expect(body.sources).toEqual([
      { source: "home", views: 2 },
      { source: "search", views: 1 },
    ]);
    expect(body.top_videos).toEqual([
      { video_id: popular, title: "Popular", views: 2, watch_seconds: 40 },
      { video_id: quiet, title: "Quiet", views: 1, watch_seconds: 20 },
    ]);
    expect(body.retention[20]).toBe(1);
    expect(body.retention[21]).toBe(0);

    // A deleted video's views stay in the channel's figures; it has no title any more.
    expect((await api(`/api/v1/videos/${quiet}`, { method: "DELETE", as: owner })).status).toBe(204);
    const after = (await (await api("/api/v1/studio/analytics", { as: owner })).json()) as Record<string, any>;
    expect(after.totals.views).toBe(3);
    expect(after.top_videos[1]).toEqual({ video_id: quiet, title: null, views: 1, watch_seconds: 20 });

    await expectProblem(await api("/api/v1/studio/analytics"), 401, "unauthorized");
    // A channel without views: zeros, not an error.
    const fresh = await registerUser();
    const empty = (await (await api("/api/v1/studio/analytics", { as: fresh })).json()) as Record<string, any>;
    expect(empty).toMatchObject({ totals: { views: 0, watch_seconds: 0 }, top_videos: [], sampled: false });
  });
});

describe("the analytics store the wiring picks", () => {
  const production = {
    ANALYTICS: "analytics-engine",
    CF_ACCOUNT_ID: "0123456789abcdef0123456789abcdef",
    ANALYTICS_API_TOKEN: "read-token",
    ANALYTICS_DATASET: "cloudtube_playback_events",
  };
  /** The Worker with other settings than the tests' (the same bindings). */
  const withEnv = (over: Partial<Env>, path: string, user: TestUser) =>
    worker.fetch(
      new Request(`http://cloudtube.test${path}`, {
        headers: { Authorization: `Bearer ${user.token}`, "CF-Connecting-IP": freshIp() },
      }),
      { ...env, ...over },
      createExecutionContext(),
    );

  afterEach(() => vi.restoreAllMocks());

  it("answers 503 analytics_unavailable where no store is set up, or Analytics Engine's SQL API lacks its settings", async () => {
    const owner = await registerUser();
    const videoId = await video(owner);
    const path = `/api/v1/studio/videos/${videoId}/analytics`;
    await expectProblem(await withEnv({ ANALYTICS: "none" }, path, owner), 503, "analytics_unavailable");
    for (const missing of ["CF_ACCOUNT_ID", "ANALYTICS_API_TOKEN", "ANALYTICS_DATASET"] as const) {
      const res = await withEnv({ ...production, [missing]: "" }, path, owner);
      await expectProblem(res, 503, "analytics_unavailable");
    }
    await expectProblem(
      await withEnv({ ...production, ANALYTICS_DATASET: "x; DROP" }, "/api/v1/studio/analytics", owner),
      503,
      "analytics_unavailable",
    );
    expect(analyticsQueryFromEnv({ ...env, ANALYTICS: "local" })).toBeDefined();
    expect(analyticsQueryFromEnv({ ...env, ...production })).toBeDefined();
  });

  it("asks Analytics Engine's SQL API in production, one POST per template with the token; its failure is a 503", async () => {
    const owner = await registerUser();
    const videoId = await video(owner);
    const asked: { url: string; auth: string | null; sql: string }[] = [];
    let status = 200;
    vi.spyOn(globalThis, "fetch").mockImplementation(async (input, init) => {
      asked.push({
        url: String(input),
        auth: new Headers(init?.headers).get("Authorization"),
        sql: String(init?.body),
      });
      return status === 200 ? Response.json({ meta: [], data: [] }) : new Response("no", { status });
    });
    const res = await withEnv(production, `/api/v1/studio/videos/${videoId}/analytics`, owner);
    expect(res.status).toBe(200);
    expect(((await res.json()) as Record<string, any>).totals).toEqual({ views: 0, watch_seconds: 0 });
    expect(asked).toHaveLength(8);
    for (const a of asked) {
      expect(a.url).toBe(
        "https://api.cloudflare.com/client/v4/accounts/0123456789abcdef0123456789abcdef/analytics_engine/sql",
      );
      expect(a.auth).toBe("Bearer read-token");
      expect(a.sql).toContain(`FROM cloudtube_playback_events WHERE index1 = '${videoId}'`);
    }
    status = 500;
    const failed = await withEnv(production, "/api/v1/studio/analytics", owner);
    const problem = await expectProblem(failed, 503, "analytics_unavailable");
    expect(problem.detail).toMatch(/did not answer/);
  });
});
