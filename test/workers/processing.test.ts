import { env, exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { JobRequest } from "../../contracts/transcoder";
import { checkJob, startProcessing } from "../../workers/services/processing";
import { database } from "../../workers/storage/db";
import { processingDeps } from "../../workers/wiring/deps";
import { api, MiB, processingVideo, registerUser, rendition, type TestUser, waitFor } from "./fixtures";
import { putMedia, sendEvent, stubTranscoder, transcoder } from "./transcoder-stub";

stubTranscoder();
const jobs = { filter: (f: (j: JobRequest) => boolean) => transcoder.jobs.filter(f) };

async function processingVideoOf(visibility = "public") {
  const user = await registerUser();
  return { user, ...(await processingVideo(user, visibility)) };
}

const call = (url: string, init?: RequestInit) => exports.default.fetch(new Request(url, init));
const status = async (videoId: string, as?: TestUser) =>
  (await (await api(`/api/v1/videos/${videoId}/status`, { as })).json()) as Record<string, any>;

describe("processing: dispatch and the transcoder's signed URLs", () => {
  it("dispatches one job with URLs scoped to the video that read the source and write outputs", async () => {
    const { videoId, job, source } = await processingVideoOf();
    expect(job.settings).toMatchObject({ segment_seconds: 6, codec: "h264", segment_type: "fmp4" });
    expect(job.source_url).toMatch(
      new RegExp(`^http://cloudtube.test/internal/v1/videos/${videoId}/source\\?exp=\\d+&sig=`),
    );

    const got = await call(job.source_url);
    expect(got.status).toBe(200);
    expect(new Uint8Array(await got.arrayBuffer())).toEqual(source);

    const put = await putMedia(job, "144p/index.m3u8", "#EXTM3U\n", "application/vnd.apple.mpegurl");
    expect(put.status).toBe(201);
    const stored = await env.MEDIA.get(`videos/${videoId}/media/144p/index.m3u8`);
    expect(await stored!.text()).toBe("#EXTM3U\n");
    expect(stored!.httpMetadata?.contentType).toBe("application/vnd.apple.mpegurl");

    const row = await env.DB.prepare("SELECT state, attempts FROM transcode_jobs WHERE video_id = ?")
      .bind(videoId)
      .first();
    expect(row).toEqual({ state: "dispatched", attempts: 1 });
  });

  it("refuses forged, expired, cross-video and cross-scope URLs", async () => {
    const a = await processingVideoOf();
    const b = await processingVideoOf();
    const forged = a.job.source_url.replace(/sig=([^&]+)/, (_m, sig: string) => `sig=${sig.slice(0, -2)}AA`);
    expect((await call(forged)).status).toBe(403);
    const expired = a.job.source_url.replace(/exp=\d+/, "exp=1000");
    expect((await call(expired)).status).toBe(403);
    const otherVideo = a.job.source_url.replace(a.videoId, b.videoId);
    expect((await call(otherVideo)).status).toBe(403);
    // The source URL's signature does not open the media scope.
    const sourceQuery = a.job.source_url.split("?")[1];
    expect((await call(`${a.job.output.base_url}/x.ts?${sourceQuery}`, { method: "PUT", body: "x" })).status).toBe(403);
    // Dot segments resolve before routing (to the source scope: 403); encoded ones fail the path rule.
    expect((await putMedia(a.job, "../../source/original.mp4", "x")).status).toBe(403);
    expect((await putMedia(a.job, "..%2F..%2Fsource%2Foriginal.mp4", "x")).status).toBe(400);
    expect(await (await call(a.job.source_url)).arrayBuffer()).toHaveProperty("byteLength", 5 * MiB);
  });

  it("does not dispatch twice for a redelivered message, and retries while the transcoder is down", async () => {
    const { videoId } = await processingVideoOf();
    const deps = processingDeps(env, database(env.DB));
    const again = await startProcessing(deps, videoId, `videos/${videoId}/source/original.mp4`);
    expect(again).toEqual({ ack: true });
    expect(jobs.filter((j) => j.video_id === videoId)).toHaveLength(1);

    transcoder.up = false;
    const stalledLater = new Date(Date.now() + 31_000);
    const outcome = await checkJob(deps, videoId, stalledLater);
    expect(outcome).toMatchObject({
      retryAfterSeconds: expect.any(Number),
      error: expect.stringContaining("ECONNREFUSED"),
    });
  });

  it("re-dispatches a job whose transcoder went silent, and gives up after the last attempt", async () => {
    const { videoId } = await processingVideoOf();
    const deps = processingDeps(env, database(env.DB));
    // Not yet stalled: nothing happens.
    expect(await checkJob(deps, videoId, new Date(Date.now() + 5_000))).toEqual({ ack: true });
    expect(jobs.filter((j) => j.video_id === videoId)).toHaveLength(1);
    // Silent past JOB_STALL_SECONDS (30): dispatched again.
    let now = Date.now();
    for (let attempt = 2; attempt <= 5; attempt++) {
      now += 31_000;
      expect(await checkJob(deps, videoId, new Date(now))).toEqual({ ack: true });
      expect(jobs.filter((j) => j.video_id === videoId)).toHaveLength(attempt);
    }
    now += 31_000;
    await checkJob(deps, videoId, new Date(now));
    expect(await status(videoId)).toMatchObject({ status: "failed", error: { code: "transcode_failed" } });
  });
});

describe("processing: a transcoder that died mid-job", () => {
  it("dispatches again at once a job the transcoder lost (it restarted), long before the stall timeout", async () => {
    const { videoId } = await processingVideoOf();
    const deps = processingDeps(env, database(env.DB));
    // Still running there: the check changes nothing.
    expect(await checkJob(deps, videoId, new Date(Date.now() + 10_000))).toEqual({ ack: true });
    expect(jobs.filter((j) => j.video_id === videoId)).toHaveLength(1);
    // The process or Container came back without the job: the next check sends it again,
    // 10 s after dispatch where the stall timeout is 30 s.
    transcoder.running.clear();
    expect(await checkJob(deps, videoId, new Date(Date.now() + 10_000))).toEqual({ ack: true });
    expect(jobs.filter((j) => j.video_id === videoId)).toHaveLength(2);
    const row = await env.DB.prepare("SELECT state, attempts FROM transcode_jobs WHERE video_id = ?")
      .bind(videoId)
      .first();
    expect(row).toEqual({ state: "dispatched", attempts: 2 });
  });

  it("waits for a transcoder that does not answer until it is back or the job has stalled", async () => {
    const { videoId } = await processingVideoOf();
    const deps = processingDeps(env, database(env.DB));
    transcoder.up = false;
    expect(await checkJob(deps, videoId, new Date(Date.now() + 10_000))).toEqual({ ack: true });
    expect(jobs.filter((j) => j.video_id === videoId)).toHaveLength(1);
    // Back, restarted and without the job: dispatched again.
    transcoder.up = true;
    transcoder.running.clear();
    expect(await checkJob(deps, videoId, new Date(Date.now() + 13_000))).toEqual({ ack: true });
    expect(jobs.filter((j) => j.video_id === videoId)).toHaveLength(2);
  });

  it("does nothing for a finished video whose transcoder has forgotten it", async () => {
    const { videoId, job } = await processingVideoOf();
    const deps = processingDeps(env, database(env.DB));
    await sendEvent(job, { type: "failed", code: "non_video", message: "The file is not a video." });
    transcoder.running.clear();
    expect(await checkJob(deps, videoId, new Date(Date.now() + 10_000))).toEqual({ ack: true });
    expect(jobs.filter((j) => j.video_id === videoId)).toHaveLength(1);
  });
});

describe("processing: events, status and the video-ready notification", () => {
  it("goes processing -> playable -> ready with progress that never goes down, and notifies the owner once", async () => {
    const { user, videoId, job } = await processingVideoOf();
    expect(await status(videoId)).toEqual({
      video_id: videoId,
      status: "processing",
      progress: 0,
      stage: "queued",
      renditions_ready: [],
      playable: false,
    });

    expect((await sendEvent(job, { type: "progress", stage: "probing", progress: 2 })).status).toBe(204);
    expect(
      (
        await sendEvent(job, {
          type: "probed",
          metadata: { duration: 12.5, width: 1280, height: 720, codec: "h264", has_audio: true },
        })
      ).status,
    ).toBe(204);
    await sendEvent(job, { type: "progress", stage: "transcoding", progress: 40 });
    await sendEvent(job, { type: "progress", stage: "transcoding", progress: 30 });
    let now = await status(videoId);
    expect(now).toMatchObject({ status: "processing", progress: 40, stage: "transcoding", playable: false });

    await sendEvent(job, { type: "rendition_ready", rendition: rendition("144p", 144), master_updated: true });
    now = await status(videoId);
    expect(now).toMatchObject({ status: "processing", playable: true, renditions_ready: ["144p"] });

    const done = {
      type: "completed",
      metadata: { duration: 12.5, width: 1280, height: 720 },
      renditions: [rendition("144p", 144), rendition("360p", 360), rendition("720p", 720)],
      thumbnails: {
        default: "thumbnails/0_medium.jpg",
        small: "thumbnails/0_small.jpg",
        medium: "thumbnails/0_medium.jpg",
        large: "thumbnails/0_large.jpg",
        scrub: [],
      },
      storyboard: { image: "storyboard/sprite.jpg", vtt: "storyboard/storyboard.vtt" },
    };
    expect((await sendEvent(job, done)).status).toBe(204);
    expect((await sendEvent(job, done)).status).toBe(204);
    expect(await status(videoId)).toEqual({
      video_id: videoId,
      status: "ready",
      progress: 100,
      renditions_ready: ["144p", "360p", "720p"],
      playable: true,
    });

    const notes = await waitFor(async () => {
      const res = await api("/api/v1/users/me/notifications", { as: user });
      const body = (await res.json()) as { items: { type: string; video_id: string; message: string }[] };
      return body.items.length ? body : undefined;
    }, "the notification");
    await new Promise((r) => setTimeout(r, 1500));
    const again = (await (await api("/api/v1/users/me/notifications", { as: user })).json()) as {
      items: unknown[];
      total: number;
    };
    expect(notes.items[0]).toMatchObject({
      type: "video_ready",
      video_id: videoId,
      message: "Your video is ready!",
      read: false,
    });
    expect(again.total).toBe(1);

    // A late event from a restarted job changes nothing.
    await sendEvent(job, { type: "progress", stage: "transcoding", progress: 10 });
    expect(await status(videoId)).toMatchObject({ status: "ready", progress: 100 });
  });

  it("ends failed with the transcoder's code and removes partial outputs", async () => {
    const { videoId, job } = await processingVideoOf();
    await putMedia(job, "144p/seg_00001.ts", new Uint8Array(1000));
    await sendEvent(job, { type: "failed", code: "malformed_video", message: "The file could not be decoded." });
    expect(await status(videoId)).toEqual({
      video_id: videoId,
      status: "failed",
      progress: 0,
      renditions_ready: [],
      playable: false,
      error: { code: "malformed_video", message: "The file could not be decoded." },
    });
    expect((await env.MEDIA.list({ prefix: `videos/${videoId}/media/` })).objects).toHaveLength(0);
    // Outputs arriving after the end are refused, not stored as orphans.
    expect((await putMedia(job, "144p/seg_00002.ts", new Uint8Array(10))).status).toBe(409);
  });

  it("refuses malformed events with validation_failed", async () => {
    const { job } = await processingVideoOf();
    for (const bad of [
      { type: "progress", stage: "probing", progress: 101 },
      { type: "nonsense" },
      { type: "failed", code: "x", message: "m" },
    ]) {
      const res = await sendEvent(job, bad);
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ code: "validation_failed" });
    }
    const notJson = await call(job.events_url, {
      method: "POST",
      body: "{",
      headers: { "Content-Type": "application/json" },
    });
    expect(notJson.status).toBe(400);
  });

  it("hides a private video's status from everyone but its owner", async () => {
    const { user, videoId } = await processingVideoOf("private");
    expect((await api(`/api/v1/videos/${videoId}/status`, { as: user })).status).toBe(200);
    const other = await registerUser();
    expect((await api(`/api/v1/videos/${videoId}/status`, { as: other })).status).toBe(404);
    expect((await api(`/api/v1/videos/${videoId}/status`)).status).toBe(404);
    expect((await api(`/api/v1/videos/nonexistent/status`)).status).toBe(404);
  });
});
