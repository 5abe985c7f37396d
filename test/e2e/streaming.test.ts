import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import path from "node:path";
import WebSocket from "ws";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startStack, type Stack } from "./stack";

const require = createRequire(import.meta.url);
const ffmpeg: string = process.env.FFMPEG_PATH ?? require("@ffmpeg-installer/ffmpeg").path;

let stack: Stack;
let work: string;

interface Account {
  token: string;
}

async function register(): Promise<Account> {
  const n = `${Date.now()}${Math.floor(Math.random() * 1e6)}`;
  const res = await fetch(`${stack.url}/api/v1/auth/register`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ email: `s${n}@example.com`, username: `s${n}`, password: "a long password" }),
  });
  return { token: ((await res.json()) as { token: string }).token };
}

async function call<T>(who: Account | undefined, pathname: string, init: RequestInit = {}): Promise<T> {
  const res = await fetch(`${stack.url}${pathname}`, {
    ...init,
    headers: { ...(who ? { Authorization: `Bearer ${who.token}` } : {}), ...(typeof init.body === "string" ? { "Content-Type": "application/json" } : {}) },
  });
  if (!res.ok) throw new Error(`${pathname}: ${res.status} ${await res.text()}`);
  return (res.status === 204 ? undefined : await res.json()) as T;
}

/** Uploads a generated clip and waits until it is ready. */
async function readyVideo(owner: Account, visibility: string): Promise<string> {
  const file = path.join(work, `${visibility}.mp4`);
  const made = spawnSync(ffmpeg, [
    "-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=640x360:rate=30", "-f", "lavfi", "-i", "sine",
    "-t", "24", "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest", file,
  ]);
  expect(made.status).toBe(0);
  const bytes = readFileSync(file);
  const init = await call<{ upload_id: string; video_id: string; part_size: number }>(owner, "/api/v1/videos/upload/initiate", {
    method: "POST",
    body: JSON.stringify({ filename: "clip.mp4", size: bytes.length, content_type: "video/mp4", title: `Streaming ${visibility}`, visibility }),
  });
  for (let part = 1, at = 0; at < bytes.length; part++, at += init.part_size) {
    await call(owner, `/api/v1/videos/upload/${init.upload_id}/chunk?part=${part}`, { method: "PUT", body: new Uint8Array(bytes.subarray(at, at + init.part_size)) });
  }
  await call(owner, `/api/v1/videos/upload/${init.upload_id}/complete`, { method: "POST", body: "{}" });
  for (let i = 0; i < 600; i++) {
    const s = await call<{ status: string }>(owner, `/api/v1/videos/${init.video_id}/status`);
    if (s.status === "ready") return init.video_id;
    if (s.status === "failed") throw new Error("processing failed");
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error("not ready in time");
}

/** Plays an HLS URL to the end with ffmpeg, as a player would fetch it over HTTP. */
function play(url: string) {
  return spawnSync(ffmpeg, ["-v", "error", "-i", url, "-f", "null", "-"], { encoding: "utf8" });
}

describe("streaming on the running stack", () => {
  beforeAll(async () => {
    work = mkdtempSync(path.join(tmpdir(), "e2e-streaming-"));
    stack = await startStack();
  });
  afterAll(async () => {
    await stack?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it("plays for another viewer, counts the view once, resumes where they left off, and shows it live", async () => {
    const owner = await register();
    const videoId = await readyVideo(owner, "public");
    const viewer = await register();
    const page = await call<{ hls_url: string; duration: number }>(viewer, `/api/v1/videos/${videoId}`);
    const played = play(page.hls_url);
    expect(played.status, played.stderr).toBe(0);
    expect(played.stderr.trim()).toBe("");

    // A watcher in the room sees the view arrive.
    const socket = new WebSocket(`${stack.url.replace("http", "ws")}/api/v1/videos/${videoId}/live`);
    const counters: { views: number }[] = [];
    socket.on("message", (data) => {
      const m = JSON.parse(String(data)) as { type: string; views: number };
      if (m.type === "counters") counters.push(m);
    });
    await new Promise((r) => socket.once("open", r));

    for (const position of [5, 10, 15, 20]) {
      await call(viewer, `/api/v1/videos/${videoId}/watch-position`, { method: "POST", body: JSON.stringify({ position, duration: page.duration }) });
    }
    for (let i = 0; i < 50 && !counters.some((c) => c.views === 1); i++) await new Promise((r) => setTimeout(r, 100));
    expect(counters.some((c) => c.views === 1)).toBe(true);
    socket.close();

    const history = await call<{ items: { video: { id: string }; position: number; percent: number }[] }>(viewer, "/api/v1/users/me/watch-history");
    expect(history.items[0]).toMatchObject({ video: { id: videoId }, position: 20 });
    const again = await call<{ resume_position: number; view_count: number }>(viewer, `/api/v1/videos/${videoId}`);
    expect(again.resume_position).toBe(20);

    // Flushed by the room within seconds, and counted once however often the viewer reported.
    let viewCount = 0;
    for (let i = 0; i < 40 && viewCount !== 1; i++) {
      await new Promise((r) => setTimeout(r, 500));
      viewCount = (await call<{ view_count: number }>(undefined, `/api/v1/videos/${videoId}`)).view_count;
    }
    expect(viewCount).toBe(1);
  });

  it("plays a private video for its owner only, through the signed URL", async () => {
    const owner = await register();
    const videoId = await readyVideo(owner, "private");
    const page = await call<{ hls_url: string }>(owner, `/api/v1/videos/${videoId}`);
    expect(page.hls_url).toContain("token=");
    const played = play(page.hls_url);
    expect(played.status, played.stderr).toBe(0);
    const stranger = await register();
    expect((await fetch(`${stack.url}/api/v1/videos/${videoId}`, { headers: { Authorization: `Bearer ${stranger.token}` } })).status).toBe(404);
    expect(play(`${stack.url}/videos/${videoId}/master.m3u8`).status).not.toBe(0);
  });
});
