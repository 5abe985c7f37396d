import { env, exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { deviceOf } from "../../workers/lib/device";
import { LOCAL_TABLE } from "../../workers/storage/analytics-local";
import { BASE, signIn } from "./browser-fixtures";
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

const now = () => new Date().toISOString();
const events = (videoId: string) => `/api/v1/videos/${videoId}/playback-events`;
const send = (videoId: string, json: unknown, as?: Caller, headers?: Record<string, string>) =>
  api(events(videoId), { method: "POST", json, as, headers });
const batch = (over: Record<string, unknown> = {}) => ({
  session_id: "sess-0123456789",
  source: "search",
  events: [
    { type: "start", position: 0, at: now(), startup_ms: 640, rendition: "720p" },
    { type: "heartbeat", position: 10, at: now(), rendition: "720p" },
  ],
  ...over,
});

/** The local store's rows of a video, oldest first, as the studio's templates will read them. */
async function stored(videoId: string) {
  const { results } = await env.ANALYTICS_LOCAL.prepare(
    `SELECT * FROM ${LOCAL_TABLE} WHERE index1 = ? ORDER BY double6, rowid`,
  )
    .bind(videoId)
    .all<Record<string, string | number>>();
  return results;
}

async function video(owner: TestUser, spec: { visibility?: "public" | "unlisted" | "private" } = {}) {
  return catalogueVideo(owner, { title: "Beacon target", duration: 120, ...spec });
}

describe("POST /videos/{id}/playback-events", () => {
  it("takes an anonymous batch: 204, one row per event in the local store, laid out as docs/capacity.md says", async () => {
    const owner = await registerUser();
    const videoId = await video(owner);
    const at = Date.now() - 5_000;
    const res = await send(
      videoId,
      batch({
        events: [
          { type: "start", position: 0, at: new Date(at).toISOString(), startup_ms: 640, rendition: "720p" },
          { type: "seek", position: 95.5, from: 12, at: new Date(at + 1000).toISOString(), rendition: "720p" },
          { type: "rebuffer", position: 95.5, rebuffer_ms: 850, at: new Date(at + 2000).toISOString() },
          { type: "error", position: 96, error_code: "media_decode", at: new Date(at + 3000).toISOString() },
        ],
      }),
      undefined,
      { "User-Agent": "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Mobile/15E148" },
    );
    expect(res.status).toBe(204);
    const rows = await stored(videoId);
    expect(rows.map((r) => r.blob1)).toEqual(["start", "seek", "rebuffer", "error"]);
    expect(rows[0]).toMatchObject({
      index1: videoId,
      blob2: "sess-0123456789",
      blob3: "search",
      blob4: "ZZ",
      blob5: "mobile",
      blob6: "720p",
      blob7: "",
      blob8: owner.channel_id,
      double1: 0,
      double2: -1,
      double3: 640,
      double4: 0,
      double5: 120,
      double6: at,
      _sample_interval: 1,
    });
    expect(rows[1]).toMatchObject({ double1: 95.5, double2: 12 });
    expect(rows[2]).toMatchObject({ blob6: "", double4: 850 });
    expect(rows[3]).toMatchObject({ blob7: "media_decode" });
  });

  it("takes sendBeacon's text/plain body, and a signed-in browser's beacon with its CSRF token in the query", async () => {
    const owner = await registerUser();
    const videoId = await video(owner, { visibility: "private" });
    // The owner's browser: the session cookie rides along, as it does with sendBeacon.
    const { cookie, csrf } = await signIn(owner);
    const beacon = (query: string) =>
      fetchWorker(`${events(videoId)}${query}`, {
        method: "POST",
        headers: { Cookie: cookie, "Content-Type": "text/plain;charset=UTF-8", "CF-Connecting-IP": freshIp() },
        body: JSON.stringify(batch({ session_id: "owner-session-1" })),
      });
    await expectProblem(await beacon(""), 403, "csrf_failed");
    expect((await beacon(`?csrf=${encodeURIComponent(csrf)}`)).status).toBe(204);
    expect((await stored(videoId)).map((r) => r.blob2)).toEqual(["owner-session-1", "owner-session-1"]);
  });

  it("refuses a private video's events from a stranger and from nobody (404), and a blocked video's (451)", async () => {
    const owner = await registerUser();
    const stranger = await registerUser();
    const hidden = await video(owner, { visibility: "private" });
    await expectProblem(await send(hidden, batch()), 404, "not_found");
    await expectProblem(await send(hidden, batch(), stranger), 404, "not_found");
    expect((await send(hidden, batch(), owner)).status).toBe(204);
    const blocked = await video(owner);
    await env.DB.prepare("UPDATE videos SET blocked_at = ? WHERE id = ?").bind(Date.now(), blocked).run();
    await expectProblem(await send(blocked, batch()), 451, "video_blocked");
    await expectProblem(await send("nosuchvideo000", batch()), 404, "not_found");
    expect(await stored(hidden)).toHaveLength(2);
    expect(await stored(blocked)).toHaveLength(0);
  });

  it("refuses every bad batch with 400 validation_failed naming the field, and stores nothing of it", async () => {
    const owner = await registerUser();
    const videoId = await video(owner);
    const start = { type: "start", position: 0, at: now() };
    const cases: [string, unknown, string][] = [
      ["no session", { events: [start] }, "session_id"],
      ["a short session", { session_id: "abc", events: [start] }, "session_id"],
      ["a session with spaces", { session_id: "a session id!", events: [start] }, "session_id"],
      ["no events", { session_id: "sess-0123456789", events: [] }, "events"],
      ["101 events", { session_id: "sess-0123456789", events: Array.from({ length: 101 }, () => start) }, "events"],
      ["an unknown type", batch({ events: [{ ...start, type: "skip" }] }), "events.0.type"],
      ["a negative position", batch({ events: [{ ...start, position: -1 }] }), "events.0.position"],
      ["a position past the end", batch({ events: [{ ...start, position: 126 }] }), "events.0.position"],
      [
        "a seek from past the end",
        batch({ events: [{ ...start, type: "seek", position: 3, from: 500 }] }),
        "events.0.from",
      ],
      ["a seek without from", batch({ events: [{ ...start, type: "seek", position: 30 }] }), "events.0.from"],
      ["a rebuffer without its length", batch({ events: [{ ...start, type: "rebuffer" }] }), "events.0.rebuffer_ms"],
      ["an error without a code", batch({ events: [{ ...start, type: "error" }] }), "events.0.error_code"],
      ["a time that is not one", batch({ events: [{ ...start, at: "yesterday" }] }), "events.0.at"],
      [
        "a time two days ago",
        batch({ events: [{ ...start, at: new Date(Date.now() - 2 * 86_400_000).toISOString() }] }),
        "events.0.at",
      ],
      [
        "a time an hour ahead",
        batch({ events: [{ ...start, at: new Date(Date.now() + 3600_000).toISOString() }] }),
        "events.0.at",
      ],
      ["a negative startup", batch({ events: [{ ...start, startup_ms: -5 }] }), "events.0.startup_ms"],
      ["a rendition that is not a height", batch({ events: [{ ...start, rendition: "best" }] }), "events.0.rendition"],
      ["an unknown source", batch({ source: "email" }), "source"],
    ];
    for (const [what, body, field] of cases) {
      const problem = await expectProblem(await send(videoId, body), 400, "validation_failed");
      expect(
        problem.invalid_params.map((p: { name: string }) => p.name),
        what,
      ).toContain(field);
    }
    const text = await fetchWorker(events(videoId), {
      method: "POST",
      headers: { "Content-Type": "text/plain", "CF-Connecting-IP": freshIp() },
      body: "{not json",
    });
    await expectProblem(text, 400, "validation_failed");
    const empty = await fetchWorker(events(videoId), {
      method: "POST",
      headers: { "Content-Type": "application/json", "CF-Connecting-IP": freshIp() },
      body: "",
    });
    await expectProblem(empty, 400, "validation_failed");
    expect(await stored(videoId)).toEqual([]);
  });

  it("refuses a body over 64 KB with 413, whether it says its length or streams it", async () => {
    const owner = await registerUser();
    const videoId = await video(owner);
    const big = JSON.stringify(batch({ padding: "x".repeat(65 * 1024) }));
    await expectProblem(
      await fetchWorker(events(videoId), {
        method: "POST",
        headers: { "Content-Type": "application/json", "CF-Connecting-IP": freshIp() },
        body: big,
      }),
      413,
      "payload_too_large",
    );
    const bytes = new TextEncoder().encode(big);
    const stream = new ReadableStream({
      start(controller) {
        for (let i = 0; i < bytes.length; i += 8192) controller.enqueue(bytes.subarray(i, i + 8192));
        controller.close();
      },
    });
    await expectProblem(
      await fetchWorker(events(videoId), {
        method: "POST",
        headers: { "Content-Type": "application/json", "CF-Connecting-IP": freshIp() },
        body: stream,
        duplex: "half",
      } as RequestInit),
      413,
      "payload_too_large",
    );
    expect(await stored(videoId)).toEqual([]);
  });

  it("refuses an unplayable video (409) and another media type (415)", async () => {
    const owner = await registerUser();
    const processing = await catalogueVideo(owner, { title: "Still uploading", status: "processing" });
    await env.DB.prepare("UPDATE videos SET status = 'uploading' WHERE id = ?").bind(processing).run();
    await expectProblem(await send(processing, batch()), 409, "not_playable");
    const videoId = await video(owner);
    await expectProblem(
      await fetchWorker(events(videoId), {
        method: "POST",
        headers: { "Content-Type": "application/xml", "CF-Connecting-IP": freshIp() },
        body: "<events/>",
      }),
      415,
      "unsupported_media_type",
    );
  });

  it("is rate limited per caller: 60 batches a minute, then 429 with Retry-After", async () => {
    const owner = await registerUser();
    const videoId = await video(owner);
    const caller = { ip: freshIp() };
    // 61 batches that straddle a minute window's end would be two windows' worth.
    await earlyInRateWindow();
    for (let i = 0; i < 60; i++) expect((await send(videoId, batch(), caller)).status).toBe(204);
    const limited = await send(videoId, batch(), caller);
    await expectProblem(limited, 429, "rate_limited");
    expect(limited.headers.get("Retry-After")).toBeTruthy();
    expect((await send(videoId, batch(), { ip: freshIp() })).status).toBe(204);
  }, 90_000);
});

/** A raw request to the Worker (headers as given). */
const fetchWorker = (path: string, init: RequestInit) => exports.default.fetch(new Request(`${BASE}${path}`, init));

describe("the device class stamped on each event", () => {
  it("reads phones, tablets, TVs and desktops from their User-Agents, anything else as other", () => {
    const cases: [string | undefined, string][] = [
      ["Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148", "mobile"],
      ["Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 Chrome/120.0 Mobile Safari/537.36", "mobile"],
      ["Mozilla/5.0 (Linux; Android 13; SM-X710) AppleWebKit/537.36 Chrome/120.0 Safari/537.36", "tablet"],
      ["Mozilla/5.0 (iPad; CPU OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148", "tablet"],
      ["Mozilla/5.0 (Linux; Android 9; SHIELD Android TV) AppleWebKit/537.36 Chrome/120.0 Safari/537.36", "tv"],
      ["Mozilla/5.0 (SMART-TV; Linux; Tizen 6.0) AppleWebKit/537.36 SamsungBrowser/4.0 TV Safari/537.36", "tv"],
      ["Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/120.0 Safari/537.36", "desktop"],
      ["Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 HeadlessChrome/120.0 Safari/537.36", "desktop"],
      ["curl/8.5.0", "other"],
      [undefined, "other"],
    ];
    for (const [ua, device] of cases) expect(deviceOf(ua), ua).toBe(device);
  });
});
