import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testVideo } from "../../transcoder/test/clips.ts";
import { playHls, send } from "./clients";
import { type Stack, startStack } from "./stack";
import { secondsUntilRunning } from "./transcoder";

const require = createRequire(import.meta.url);
const ffmpeg: string = process.env.FFMPEG_PATH ?? require("@ffmpeg-installer/ffmpeg").path;
const hasTranscoder = existsSync(path.resolve(import.meta.dirname, "../../transcoder/src/server.ts"));

let stack: Stack;
let token: string;
let work: string;

async function call<T>(pathname: string, init: RequestInit = {}): Promise<T> {
  const res = await send(`${stack.url}${pathname}`, {
    ...init,
    headers: {
      Authorization: `Bearer ${token}`,
      ...(init.body && typeof init.body === "string" ? { "Content-Type": "application/json" } : {}),
      ...init.headers,
    },
  });
  if (!res.ok) throw new Error(`${init.method ?? "GET"} ${pathname}: ${res.status} ${await res.text()}`);
  return (res.status === 204 ? undefined : await res.json()) as T;
}

/**
 * Generates a clip without blocking the event loop: a blocked loop cannot see the server
 * close an idle keep-alive socket, and the next request would be written into it.
 */
async function makeClip(name: string, args: string[]): Promise<Buffer> {
  const file = path.join(work, name);
  await promisify(execFile)(ffmpeg, ["-hide_banner", "-loglevel", "error", "-y", ...args, file]);
  return readFileSync(file);
}

async function upload(bytes: Buffer, title: string): Promise<string> {
  const init = await call<{ upload_id: string; video_id: string; part_size: number }>(
    "/api/v1/videos/upload/initiate",
    {
      method: "POST",
      body: JSON.stringify({ filename: "clip.mp4", size: bytes.length, content_type: "video/mp4", title }),
    },
  );
  for (let part = 1, at = 0; at < bytes.length; part++, at += init.part_size) {
    await call(`/api/v1/videos/upload/${init.upload_id}/chunk?part=${part}`, {
      method: "PUT",
      body: new Uint8Array(bytes.subarray(at, at + init.part_size)),
    });
  }
  await call(`/api/v1/videos/upload/${init.upload_id}/complete`, { method: "POST", body: "{}" });
  return init.video_id;
}

interface Status {
  status: string;
  progress: number;
  playable: boolean;
  stage?: string;
  renditions_ready: string[];
  error?: { code: string };
}

/** Polls the status until it ends, keeping every answer. */
async function follow(
  videoId: string,
  onStatus?: (s: Status) => void | Promise<void>,
  timeoutMs = 240_000,
): Promise<Status[]> {
  const seen: Status[] = [];
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const s = await call<Status>(`/api/v1/videos/${videoId}/status`);
    seen.push(s);
    await onStatus?.(s);
    if (s.status === "ready" || s.status === "failed") return seen;
    if (Date.now() > deadline) throw new Error(`still ${JSON.stringify(s)} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

const uris = (playlist: string) =>
  playlist
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith("#"));

describe.skipIf(!hasTranscoder)("processing on the running stack", () => {
  beforeAll(async () => {
    work = mkdtempSync(path.join(tmpdir(), "e2e-processing-"));
    // The stall timeout stays at its 120 s: a killed transcoder's job must go again sooner.
    stack = await startStack({ JOB_STALL_SECONDS: "120" });
    const res = await fetch(`${stack.url}/api/v1/auth/register`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({
        email: `p${Date.now()}@example.com`,
        username: `p${Date.now()}`,
        password: "a long password",
      }),
    });
    token = ((await res.json()) as { token: string }).token;
  });
  afterAll(async () => {
    await stack?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it("takes an upload to playable and ready; every rendition decodes over HTTP; thumbnails and the notification exist", async () => {
    const clip = await makeClip("a.mp4", testVideo("640x360", 8));
    const videoId = await upload(clip, "E2E processing");
    const seen = await follow(videoId);
    const last = seen[seen.length - 1]!;
    expect(last).toMatchObject({ status: "ready", progress: 100, playable: true });
    const progress = seen.map((s) => s.progress);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
    expect(seen.some((s) => s.status === "processing")).toBe(true);
    expect(last.renditions_ready).toEqual(expect.arrayContaining(["144p", "240p", "360p"]));
    expect(last.renditions_ready).not.toContain("480p");

    const master = await (await fetch(`${stack.url}/videos/${videoId}/master.m3u8`)).text();
    expect(master).toMatch(/#EXT-X-STREAM-INF:.*BANDWIDTH=\d+.*RESOLUTION=\d+x\d+/);
    for (const variant of uris(master)) {
      const variantUrl = `${stack.url}/videos/${videoId}/${variant}`;
      const playlist = await (await fetch(variantUrl)).text();
      expect(playlist).toContain("#EXT-X-ENDLIST");
      // The whole rendition decodes, fetched segment by segment over HTTP from the Worker.
      const decode = await playHls(variantUrl);
      expect(decode.status, decode.stderr).toBe(0);
      expect(decode.stderr.trim()).toBe("");
    }

    const page = await call<{ thumbnails: Record<string, unknown>; duration: number; width: number; height: number }>(
      `/api/v1/videos/${videoId}`,
    );
    expect(page.duration).toBeCloseTo(8, 0);
    expect([page.width, page.height]).toEqual([640, 360]);
    for (const size of ["small", "medium", "large"] as const) {
      const url = page.thumbnails[size] as string;
      expect(url).toBeTruthy();
      const bytes = Buffer.from(await (await fetch(url)).arrayBuffer());
      expect([...bytes.subarray(0, 3)]).toEqual([0xff, 0xd8, 0xff]);
    }
    // The video-ready queue delivers in batches (up to a second locally).
    let notes = { items: [] as { type: string; video_id: string; message: string }[] };
    for (let i = 0; i < 30 && !notes.items.length; i++) {
      notes = await call<typeof notes>("/api/v1/users/me/notifications");
      if (!notes.items.length) await new Promise((r) => setTimeout(r, 300));
    }
    expect(notes.items).toContainEqual(
      expect.objectContaining({ type: "video_ready", video_id: videoId, message: "Your video is ready!" }),
    );
  });

  it("fails an MP4 header over junk as malformed_video and keeps nothing of its outputs", async () => {
    const fake = Buffer.alloc(300_000, 0x20);
    fake.write("\0\0\0\x18ftypisom", 0, "latin1"); // passes the magic check, then ffprobe says no
    const videoId = await upload(fake, "Not a video");
    const seen = await follow(videoId);
    expect(seen[seen.length - 1]).toMatchObject({ status: "failed", playable: false });
    // An MP4 header over junk is a damaged video (decided by its magic bytes), not "not a video".
    expect(seen[seen.length - 1]!.error?.code).toBe("malformed_video");
    expect((await fetch(`${stack.url}/videos/${videoId}/master.m3u8`)).status).toBe(404);
  });

  it("dispatches again within 30 s a job whose transcoder process was killed mid-way, and finishes it", async () => {
    const clip = await makeClip("b.mp4", testVideo("1280x720", 20));
    const videoId = await upload(clip, "Killed mid-job");
    let killed = false;
    let resumedAfter = Number.NaN;
    const seen = await follow(videoId, async (s) => {
      if (!killed && s.status === "processing" && s.progress > 0 && s.stage === "transcoding") {
        const pids = [...stack.output().matchAll(/\[start\] transcoder started \(pid (\d+)\)/g)].map((m) =>
          Number(m[1]),
        );
        process.kill(pids[pids.length - 1]!, "SIGKILL");
        killed = true;
        resumedAfter = await secondsUntilRunning(stack.transcoderUrl, videoId, Date.now());
      }
    });
    expect(killed).toBe(true);
    // The Worker's check notices the restarted transcoder has no such job (JOB_CHECK_SECONDS: 10).
    console.log(`[e2e] job dispatched again ${resumedAfter.toFixed(1)} s after the transcoder was killed`);
    expect(resumedAfter).toBeLessThan(30);
    expect(seen[seen.length - 1]).toMatchObject({ status: "ready", playable: true });
    expect(stack.output()).toContain("transcoder exited");
    const master = await (await fetch(`${stack.url}/videos/${videoId}/master.m3u8`)).text();
    const variants = uris(master);
    expect(new Set(variants).size).toBe(variants.length);
    const last = variants[variants.length - 1]!;
    const decode = await playHls(`${stack.url}/videos/${videoId}/${last}`);
    expect(decode.status, decode.stderr).toBe(0);
  });
});
