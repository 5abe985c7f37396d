import path from "node:path";
import { describe, expect, it } from "vitest";
import WebSocket from "ws";
import { type Account, makeClip, playHls } from "./clients";
import { runningStack } from "./stack";

const e2e = runningStack("streaming");

const register = () => e2e.api.register();
const call = <T>(who: Account | undefined, pathname: string, init: RequestInit = {}) =>
  e2e.api.call<T>(who, pathname, init);

/** Uploads a generated clip and waits until it is ready. */
async function readyVideo(owner: Account, visibility: string): Promise<string> {
  const file = path.join(e2e.work, `${visibility}.mp4`);
  makeClip(file, 24);
  const videoId = await e2e.api.upload(owner, file, { title: `Streaming ${visibility}`, visibility });
  await e2e.api.waitReady(owner, videoId);
  return videoId;
}

/** Plays an HLS URL to the end, every rendition fetched over HTTP as a player would. */
const play = (url: string) => playHls(url);

describe("streaming on the running stack", () => {
  it("plays for another viewer, counts the view once, resumes where they left off, and shows it live", async () => {
    const owner = await register();
    const videoId = await readyVideo(owner, "public");
    const viewer = await register();
    const page = await call<{ hls_url: string; duration: number }>(viewer, `/api/v1/videos/${videoId}`);
    const played = await play(page.hls_url);
    expect(played.status, played.stderr).toBe(0);
    expect(played.stderr.trim()).toBe("");

    // A watcher in the room sees the view arrive.
    const socket = new WebSocket(`${e2e.stack.url.replace("http", "ws")}/api/v1/videos/${videoId}/live`);
    const counters: { views: number }[] = [];
    socket.on("message", (data) => {
      const m = JSON.parse(String(data)) as { type: string; views: number };
      if (m.type === "counters") counters.push(m);
    });
    await new Promise((r) => socket.once("open", r));

    for (const position of [5, 10, 15, 20]) {
      await call(viewer, `/api/v1/videos/${videoId}/watch-position`, {
        method: "POST",
        body: JSON.stringify({ position, duration: page.duration }),
      });
    }
    for (let i = 0; i < 50 && !counters.some((c) => c.views === 1); i++) await new Promise((r) => setTimeout(r, 100));
    expect(counters.some((c) => c.views === 1)).toBe(true);
    socket.close();

    const history = await call<{ items: { video: { id: string }; position: number; percent: number }[] }>(
      viewer,
      "/api/v1/users/me/watch-history",
    );
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
    const played = await play(page.hls_url);
    expect(played.status, played.stderr).toBe(0);
    const stranger = await register();
    expect(
      (
        await fetch(`${e2e.stack.url}/api/v1/videos/${videoId}`, {
          headers: { Authorization: `Bearer ${stranger.token}` },
        })
      ).status,
    ).toBe(404);
    expect((await play(`${e2e.stack.url}/videos/${videoId}/master.m3u8`)).status).not.toBe(0);
  });
});
