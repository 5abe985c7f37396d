import {
  createExecutionContext,
  createScheduledController,
  runDurableObjectAlarm,
  runInDurableObject,
  waitOnExecutionContext,
} from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import { expect, onTestFinished, vi } from "vitest";
import worker from "../../workers/index";
import { syncVideoVector } from "../../workers/services/embeddings";
import { ALL_CATEGORIES } from "../../workers/services/trending";
import { database } from "../../workers/storage/db";
import { readList, writeList } from "../../workers/storage/trending";
import { recordCompleted } from "../../workers/storage/videos";
import { vectorBackend } from "../../workers/vectors/backend";
import { roomOf } from "../../workers/wiring/rooms";
import { putMedia, sendEvent, transcoder } from "./transcoder-stub";

const BASE = "http://cloudtube.test";
let counter = 0;

/** One run of the 5-minute cron, as scheduled at `at` (ms), to its end. */
export async function runCron(at = Date.now()) {
  const ctx = createExecutionContext();
  worker.scheduled(createScheduledController({ cron: "*/5 * * * *", scheduledTime: at }), env, ctx);
  await waitOnExecutionContext(ctx);
}

/** A client address of its own per caller, so that per-IP limits never couple tests. */
export const freshIp = () => `10.${(counter >> 16) & 255}.${(counter >> 8) & 255}.${counter++ & 255}`;

export interface Caller {
  token?: string;
  ip?: string;
}

/** A request to the Worker exactly as a client would send it. */
export function api(path: string, init: RequestInit & { json?: unknown; as?: Caller } = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  headers.set("CF-Connecting-IP", init.as?.ip ?? freshIp());
  if (init.as?.token) headers.set("Authorization", `Bearer ${init.as.token}`);
  let body = init.body;
  if (init.json !== undefined) {
    headers.set("Content-Type", "application/json");
    body = JSON.stringify(init.json);
  }
  return exports.default.fetch(new Request(`${BASE}${path}`, { ...init, headers, body }));
}

export interface TestUser extends Caller {
  id: string;
  username: string;
  email: string;
  channel_id: string;
  token: string;
  password: string;
}

/** Registers a new user with unique names. */
export async function registerUser(): Promise<TestUser> {
  const n = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;
  const password = "correct horse battery staple";
  const email = `user_${n}@example.com`;
  const res = await api("/api/v1/auth/register", { method: "POST", json: { email, username: `u_${n}`, password } });
  if (res.status !== 201) throw new Error(`register failed: ${res.status} ${await res.text()}`);
  const body = (await res.json()) as { user: { id: string; username: string; channel_id: string }; token: string };
  return { ...body.user, email, token: body.token, password, ip: freshIp() };
}

/** Bytes that begin like an MP4 (an `ftyp` box), followed by a recognisable pattern. */
export function mp4Bytes(size: number, seed = 7): Uint8Array {
  const bytes = new Uint8Array(size);
  for (let i = 0; i < size; i++) bytes[i] = (i * 31 + seed) & 255;
  const header = [0, 0, 0, 0x18, ...new TextEncoder().encode("ftypisom"), 0, 0, 2, 0];
  bytes.set(header.slice(0, Math.min(size, header.length)));
  return bytes;
}

export const MiB = 1024 * 1024;

export async function initiate(user: TestUser, overrides: Record<string, unknown> = {}) {
  const res = await api("/api/v1/videos/upload/initiate", {
    method: "POST",
    as: user,
    json: { filename: "clip.mp4", size: 12 * MiB, content_type: "video/mp4", title: "A clip", ...overrides },
  });
  return { res, body: (await res.clone().json()) as Record<string, any> };
}

export function putPart(user: TestUser, uploadId: string, part: number, bytes: Uint8Array) {
  return api(`/api/v1/videos/upload/${uploadId}/chunk?part=${part}`, {
    method: "PUT",
    as: user,
    body: bytes,
    headers: { "Content-Type": "application/octet-stream" },
  });
}

/** Sends every part of `file` in order. */
export async function sendAll(user: TestUser, uploadId: string, file: Uint8Array, partSize: number) {
  for (let part = 1, at = 0; at < file.length; part++, at += partSize) {
    const res = await putPart(user, uploadId, part, file.subarray(at, at + partSize));
    if (res.status !== 200) throw new Error(`part ${part}: ${res.status} ${await res.text()}`);
  }
}

/**
 * Turns request logs on (`true`, or another LOG_REQUESTS mode) for the rest of the test (tests
 * run with LOG_REQUESTS=false, so that a failure is not buried in JSON lines) and captures
 * every line logged, parsed.
 */
export function captureLogs(mode = "true") {
  const vars = env as { LOG_REQUESTS?: string };
  const before = vars.LOG_REQUESTS;
  vars.LOG_REQUESTS = mode;
  onTestFinished(() => {
    vars.LOG_REQUESTS = before;
  });
  const spies = (["log", "info", "warn", "error"] as const).map((level) =>
    vi.spyOn(console, level).mockImplementation(() => {}),
  );
  return {
    lines: () =>
      spies.flatMap((spy) => spy.mock.calls.map((args) => JSON.parse(String(args[0])) as Record<string, unknown>)),
  };
}

/** A D1 row, for tests that check what was stored. */
export async function row(sql: string, ...params: unknown[]) {
  return env.DB.prepare(sql)
    .bind(...params)
    .first<Record<string, unknown>>();
}

/**
 * Waits, if need be, until early in a minute: rate limits count in fixed windows aligned to
 * the minute (durable-objects/rate-limiter.ts), and a test that fills one must not straddle
 * two windows' end (at most a `latestMs`-into-the-minute wait: 20 s by default).
 */
export async function earlyInRateWindow(latestMs = 20_000) {
  const into = Date.now() % 60_000;
  if (into > latestMs) await new Promise((r) => setTimeout(r, 60_000 - into + 50));
}

/**
 * A problem+json answer with this status and code, whose body gives nothing of the
 * server's internals away; answers the body for further checks.
 */
export async function expectProblem(res: Response, status: number, code: string) {
  expect(res.status).toBe(status);
  expect(res.headers.get("Content-Type")).toBe("application/problem+json");
  const body = (await res.json()) as Record<string, any>;
  expect(body).toMatchObject({ status, code, title: expect.any(String) });
  expect(JSON.stringify(body)).not.toMatch(/at .*\.ts:\d+|at \w+ \(|stack/i);
  return body;
}

export async function waitFor<T>(probe: () => Promise<T | undefined | null | false>, what: string): Promise<T> {
  for (let i = 0; i < 100; i++) {
    const value = await probe();
    if (value) return value;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** A user's video, uploaded and completed, with the job the transcoder was sent. */
export async function processingVideo(user: TestUser, visibility = "public", title = "A test video") {
  const source = mp4Bytes(5 * MiB, 3);
  const { body } = await initiate(user, { size: source.length, visibility, title, tags: ["test"] });
  expect((await putPart(user, body.upload_id, 1, source)).status).toBe(200);
  expect(
    (await api(`/api/v1/videos/upload/${body.upload_id}/complete`, { method: "POST", as: user, json: {} })).status,
  ).toBe(202);
  const job = await waitFor(async () => transcoder.jobs.find((j) => j.video_id === body.video_id), "the job dispatch");
  return { videoId: body.video_id as string, job, source };
}

export const rendition = (name: string, height: number) => ({
  name,
  width: Math.round((height * 16) / 9 / 2) * 2,
  height,
  bandwidth: height * 2000,
  average_bandwidth: height * 1500,
  codecs: "avc1.64001f,mp4a.40.2",
  frame_rate: 30,
  playlist: `${name}/index.m3u8`,
});

export const MASTER =
  '#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-STREAM-INF:BANDWIDTH=288000,RESOLUTION=256x144,CODECS="avc1.64001f,mp4a.40.2"\n144p/index.m3u8\n';
export const MEDIA_PLAYLIST =
  "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:6\n#EXT-X-PLAYLIST-TYPE:VOD\n#EXTINF:6.0,\nseg_00001.ts\n#EXTINF:2.0,\nseg_00002.ts\n#EXT-X-ENDLIST\n";
/** A recognisable segment: byte i is i mod 251. */
export const SEGMENT = Uint8Array.from({ length: 300_000 }, (_, i) => i % 251);

/**
 * A video taken through the whole pipeline to `ready`, with a master, one rendition and
 * thumbnails, stored as MPEG-TS: what videos made before fMP4 became the default look like.
 */
export async function readyVideo(user: TestUser, visibility = "public", title?: string) {
  const { videoId, job } = await processingVideo(user, visibility, title);
  for (const [path, body, type] of [
    ["master.m3u8", MASTER, "application/vnd.apple.mpegurl"],
    ["144p/index.m3u8", MEDIA_PLAYLIST, "application/vnd.apple.mpegurl"],
    ["144p/seg_00001.ts", SEGMENT, "video/mp2t"],
    ["144p/seg_00002.ts", SEGMENT.subarray(0, 1000), "video/mp2t"],
    ["thumbnails/0_medium.jpg", new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3]), "image/jpeg"],
  ] as const) {
    expect((await putMedia(job, path, body, type)).status).toBe(201);
  }
  const done = await sendEvent(job, {
    type: "completed",
    metadata: { duration: 8, width: 256, height: 144 },
    renditions: [rendition("144p", 144)],
    thumbnails: { default: "thumbnails/0_medium.jpg", medium: "thumbnails/0_medium.jpg", scrub: [] },
  });
  expect(done.status).toBe(204);
  return { videoId, job };
}

let catalogued = 0;

export interface VideoSpec {
  title: string;
  description?: string;
  tags?: string[];
  category?: string | null;
  visibility?: "public" | "unlisted" | "private";
  /** "processing" leaves the video where an upload leaves it, before the transcoder. */
  status?: "ready" | "processing";
  /** Seconds. */
  duration?: number;
  views?: number;
  likes?: number;
  publishedAt?: Date;
  thumbnails?: { default?: string; medium?: string };
}

/**
 * A video of `user`'s channel taken to `ready` through the storage call the processing flow
 * uses (so whatever that flow keeps in step, the search index included, is kept here too),
 * without the upload and transcoder round trips, which tests of lists do not need.
 */
export async function catalogueVideo(user: TestUser, spec: VideoSpec): Promise<string> {
  const id = `cv${Date.now().toString(36)}${(catalogued++).toString(36)}${Math.random().toString(36).slice(2, 6)}`;
  await env.DB.prepare(
    `INSERT INTO videos (id, channel_id, owner_id, title, description, tags, category, visibility, status, view_count, like_count)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'processing', ?, ?)`,
  )
    .bind(
      id,
      user.channel_id,
      user.id,
      spec.title,
      spec.description ?? "",
      JSON.stringify(spec.tags ?? []),
      spec.category ?? null,
      spec.visibility ?? "public",
      spec.views ?? 0,
      spec.likes ?? 0,
    )
    .run();
  if (spec.status === "processing") return id;
  const done = await recordCompleted(
    database(env.DB),
    id,
    {
      renditions: [],
      thumbnails: spec.thumbnails,
      probe: { duration: spec.duration ?? 60, width: 640, height: 360, info: {} },
    },
    spec.publishedAt ?? new Date(),
  );
  if (!done) throw new Error(`video ${id} did not become ready`);
  return id;
}
// Recommendations: a catalogue written straight to D1 and the signals the discovery consumers keep.

const DAY = 86_400_000;

/**
 * A catalogued video (see `catalogueVideo`) published `age` days ago (1 by default), two
 * minutes long and embedded through the real sync, as recommendation tests need it.
 */
export async function addVideo(owner: TestUser, spec: VideoSpec & { age?: number }): Promise<string> {
  const publishedAt = new Date(Date.now() - (spec.age ?? 1) * DAY);
  const id = await catalogueVideo(owner, { duration: 120, publishedAt, ...spec });
  await syncVideoVector({ db: database(env.DB), d1: env.DB, vectors: vectorBackend(env) }, id);
  return id;
}

/**
 * `score` co-views of `a` and `b` now, in both directions, as the watch-events consumer makes
 * them: each video's room adds the pair, and its alarm's flush adds it to the video's total
 * in D1 (run here rather than within the hour).
 */
export async function coView(a: string, b: string, score: number) {
  const at = Date.now();
  for (let i = 0; i < score; i++) {
    const eventId = crypto.randomUUID();
    await Promise.all([roomOf(env, a).addCoViews([b], at, eventId), roomOf(env, b).addCoViews([a], at, eventId)]);
  }
  for (const id of [a, b]) await runDurableObjectAlarm(env.VIDEO_ROOM.get(env.VIDEO_ROOM.idFromName(id)));
}

export async function subscribe(user: TestUser, channelId: string) {
  await env.DB.prepare("INSERT INTO subscriptions (user_id, channel_id) VALUES (?, ?)").bind(user.id, channelId).run();
}

/** Puts a video on a region's trending list in KV, where the cron writes them. */
export async function trend(videoId: string, channelId: string, rankKey: number, region = "global") {
  const list = (await readList(env.CACHE, region, ALL_CATEGORIES)) ?? {
    region,
    category: ALL_CATEGORIES,
    generated_at: Date.now(),
    items: [],
  };
  list.items = [...list.items, { video_id: videoId, channel_id: channelId, rank_key: rankKey }].sort(
    (a, b) => b.rank_key - a.rank_key,
  );
  await writeList(env.CACHE, list);
}

/** The player's report: history for the viewer, a view once past 10 s. */
export async function watch(viewer: TestUser, videoId: string, position = 30, duration = 120) {
  const res = await api(`/api/v1/videos/${videoId}/watch-position`, {
    method: "POST",
    as: viewer,
    json: { position, duration },
  });
  if (res.status !== 204) throw new Error(`watch: ${res.status} ${await res.text()}`);
}

export interface Rec {
  id: string;
  title: string;
  channel: { id: string };
  reason: { type: string; video_id?: string; channel_id?: string };
}

export async function recommendations(viewer?: TestUser, query = "") {
  const res = await api(`/api/v1/recommendations${query}`, viewer ? { as: viewer } : {});
  if (res.status !== 200) throw new Error(`recommendations: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { items: Rec[] }).items;
}

export async function related(videoId: string, viewer?: TestUser) {
  const res = await api(`/api/v1/videos/${videoId}/related`, viewer ? { as: viewer } : {});
  if (res.status !== 200) throw new Error(`related: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { items: Rec[] }).items;
}

// fMP4 (CMAF), the transcoder's default: an initialization segment per rendition, named by
// each media playlist's EXT-X-MAP, and .m4s segments.
export const FMP4_MASTER =
  '#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-INDEPENDENT-SEGMENTS\n#EXT-X-STREAM-INF:BANDWIDTH=1100000,AVERAGE-BANDWIDTH=950000,CODECS="avc1.64001e,mp4a.40.2",RESOLUTION=640x360,FRAME-RATE=30.000\n360p/index.m3u8\n#EXT-X-STREAM-INF:BANDWIDTH=300000,AVERAGE-BANDWIDTH=260000,CODECS="avc1.64000c,mp4a.40.2",RESOLUTION=256x144,FRAME-RATE=30.000\n144p/index.m3u8\n';
export const fmp4Playlist = (count = 2) =>
  `#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-TARGETDURATION:6\n#EXT-X-MEDIA-SEQUENCE:0\n#EXT-X-PLAYLIST-TYPE:VOD\n#EXT-X-INDEPENDENT-SEGMENTS\n#EXT-X-MAP:URI="init.mp4"\n${Array.from(
    { length: count },
    (_, i) => `#EXTINF:6.000000,\nseg_${String(i).padStart(5, "0")}.m4s\n`,
  ).join("")}#EXT-X-ENDLIST\n`;
/** An initialization segment's opening (ftyp, as ffmpeg writes it), then recognisable bytes. */
export const INIT = Uint8Array.from([
  0,
  0,
  0,
  24,
  ...new TextEncoder().encode("ftypiso5"),
  0,
  0,
  2,
  0,
  ...new TextEncoder().encode("iso6mp41"),
  7,
  7,
  7,
]);

/** A ready video stored as fMP4: 360p (listed first) and 144p, each an init segment and two .m4s. */
export async function readyFmp4Video(
  user: TestUser,
  visibility = "public",
  title?: string,
  /** The inline poster the transcoder reports (a data: URI). */
  inline?: string,
) {
  const { videoId, job } = await processingVideo(user, visibility, title);
  const objects: [string, Uint8Array | string, string][] = [
    ["master.m3u8", FMP4_MASTER, "application/vnd.apple.mpegurl"],
  ];
  for (const name of ["360p", "144p"]) {
    objects.push(
      [`${name}/index.m3u8`, fmp4Playlist(), "application/vnd.apple.mpegurl"],
      [`${name}/init.mp4`, INIT, "video/mp4"],
      [`${name}/seg_00000.m4s`, SEGMENT, "video/iso.segment"],
      [`${name}/seg_00001.m4s`, SEGMENT.subarray(0, 1000), "video/iso.segment"],
    );
  }
  for (const [path, body, type] of objects) expect((await putMedia(job, path, body, type)).status).toBe(201);
  const done = await sendEvent(job, {
    type: "completed",
    metadata: { duration: 12, width: 640, height: 360 },
    renditions: [
      { ...rendition("144p", 144), codecs: "avc1.64000c,mp4a.40.2" },
      { ...rendition("360p", 360), codecs: "avc1.64001e,mp4a.40.2" },
    ],
    thumbnails: {
      default: "thumbnails/0_medium.jpg",
      medium: "thumbnails/0_medium.jpg",
      scrub: [],
      ...(inline ? { inline } : {}),
    },
  });
  expect(done.status).toBe(204);
  return { videoId, job };
}

/** The view marks a video's room keeps (its own SQLite), in key order. */
export async function roomMarks(videoId: string) {
  const stub = env.VIDEO_ROOM.get(env.VIDEO_ROOM.idFromName(videoId));
  return runInDurableObject(stub, (_, state) =>
    state.storage.sql
      .exec<{ viewer: string; hour: number; region: string }>(
        "SELECT viewer, hour, region FROM view_marks ORDER BY viewer, hour",
      )
      .toArray(),
  );
}
