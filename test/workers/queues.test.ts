import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import readme from "../../README.md?raw";
import worker from "../../workers/index";
import { retryDelay } from "../../workers/queues/consume";
import { CONSUMERS } from "../../workers/queues/index";
import { QUEUES, type QueueName } from "../../workers/schemas/queues";
import { send } from "../../workers/wiring/queues";
import wranglerToml from "../../wrangler.toml?raw";
import { api, processingVideo, registerUser } from "./fixtures";
import { stubTranscoder, transcoder } from "./transcoder-stub";

stubTranscoder();

let sequence = 0;

/** Delivers `bodies` to the queue's consumer as one batch, the way the runtime would, and answers what it acked and retried. */
async function deliver(queue: string, bodies: unknown[], attempts = 1) {
  const batch = createMessageBatch(
    queue,
    bodies.map((body) => ({ id: `m${++sequence}`, timestamp: Date.now(), attempts, body })),
  );
  // getQueueResult says which messages were retried, not after how long: the delays are read off the calls.
  const retries = batch.messages.map((message) => vi.spyOn(message, "retry"));
  const ctx = createExecutionContext();
  await worker.queue(batch, env, ctx);
  const result = await getQueueResult(batch, ctx);
  const delays = retries.map((spy) => spy.mock.calls.map(([options]) => options?.delaySeconds));
  return { ids: batch.messages.map((m) => m.id), delays, ...result };
}

/** The video-upload message a completed upload sends. */
const jobMessage = (user: { id: string }, videoId: string) => ({
  video_id: videoId,
  source_key: `videos/${videoId}/source/original.mp4`,
  metadata: { filename: "clip.mp4", content_type: "video/mp4", size: 5, owner_id: user.id, title: "A test video" },
});

const videoStatus = async (videoId: string) =>
  env.DB.prepare("SELECT status, error_code FROM videos WHERE id = ?").bind(videoId).first();

describe("queue consumers", () => {
  it("acks and logs a malformed message rather than retrying it", async () => {
    const errors = vi.spyOn(console, "error").mockImplementation(() => {});
    for (const queue of ["video-upload", "video-ready", "watch-events", "video-upload-dlq"]) {
      const { ids, explicitAcks, retryMessages } = await deliver(queue, [{ nonsense: true }]);
      expect(explicitAcks, queue).toEqual(ids);
      expect(retryMessages, queue).toEqual([]);
      const logged = errors.mock.calls.map((args) => JSON.parse(String(args[0])));
      expect(logged, queue).toContainEqual(
        expect.objectContaining({ level: "error", msg: "malformed message dropped", queue, id: ids[0] }),
      );
    }
  });

  it("retries a message whose handler fails, with a delay that grows with its attempts", async () => {
    vi.spyOn(console, "error").mockImplementation(() => {});
    // A notification for an owner who does not exist breaks its foreign key: the write throws.
    const { videoId } = await processingVideo(await registerUser());
    const orphan = {
      video_id: videoId,
      owner_id: "nosuchuser",
      status: "ready",
      title: "Gone",
      urls: { hls: `/videos/${videoId}/master.m3u8` },
    };
    for (const attempts of [1, 3]) {
      const { ids, explicitAcks, retryMessages, delays } = await deliver("video-ready", [orphan], attempts);
      expect(explicitAcks).toEqual([]);
      expect(retryMessages).toEqual([{ msgId: ids[0] }]);
      expect(delays).toEqual([[retryDelay(attempts)]]);
    }
    expect(retryDelay(3)).toBeGreaterThan(retryDelay(1));
  });

  it("acks a video-ready message whose video was deleted while it waited, notifying no one", async () => {
    const errors = vi.spyOn(console, "error").mockImplementation(() => {});
    const user = await registerUser();
    const { videoId } = await processingVideo(user);
    await env.DB.prepare("DELETE FROM videos WHERE id = ?").bind(videoId).run();
    const message = { video_id: videoId, owner_id: user.id, status: "ready", title: "Gone", urls: { hls: "/x" } };
    const { ids, explicitAcks, retryMessages } = await deliver("video-ready", [message]);
    expect(explicitAcks).toEqual(ids);
    expect(retryMessages).toEqual([]);
    expect(errors).not.toHaveBeenCalled();
    const notes = await env.DB.prepare("SELECT count(*) AS n FROM notifications WHERE user_id = ?")
      .bind(user.id)
      .first();
    expect(notes).toEqual({ n: 0 });
  });

  it("retries a job while the transcoder is down, after the service's own backoff", async () => {
    vi.spyOn(console, "warn").mockImplementation(() => {});
    const user = await registerUser();
    const { videoId } = await processingVideo(user);
    await env.DB.prepare("DELETE FROM transcode_jobs WHERE video_id = ?").bind(videoId).run();
    transcoder.up = false;
    const { ids, explicitAcks, retryMessages, delays } = await deliver("video-upload", [jobMessage(user, videoId)]);
    expect(explicitAcks).toEqual([]);
    expect(retryMessages).toEqual([{ msgId: ids[0] }]);
    // The first dispatch failed: the processing service's backoff starts at 10 s.
    expect(delays).toEqual([[10]]);
  });

  it("dispatches a job once however often its message is delivered", async () => {
    const user = await registerUser();
    const { videoId } = await processingVideo(user);
    const body = jobMessage(user, videoId);
    const { ids, explicitAcks } = await deliver("video-upload", [body, body]);
    expect(explicitAcks).toEqual(ids);
    expect(transcoder.jobs.filter((j) => j.video_id === videoId)).toHaveLength(1);
  });

  it("ends a video failed (transcode_failed) when its job message reaches the dead-letter queue", async () => {
    const user = await registerUser();
    const { videoId } = await processingVideo(user);
    const { ids, explicitAcks } = await deliver("video-upload-dlq", [{ kind: "watchdog", video_id: videoId }]);
    expect(explicitAcks).toEqual(ids);
    expect(await videoStatus(videoId)).toEqual({ status: "failed", error_code: "transcode_failed" });
    const status = await (await api(`/api/v1/videos/${videoId}/status`)).json();
    expect(status).toMatchObject({ status: "failed", error: { code: "transcode_failed" } });
  });

  it("keeps messages of a dead-letter queue without a consumer of its own for a person to look at", async () => {
    const { ids, explicitAcks, retryMessages, delays } = await deliver("watch-events-dlq", [{ anything: 1 }]);
    expect(explicitAcks).toEqual([]);
    expect(retryMessages).toEqual([{ msgId: ids[0] }]);
    expect(delays).toEqual([[3600]]);
  });

  it("logs a batch from a queue the code does not know as an error, and keeps its messages", async () => {
    const errors = vi.spyOn(console, "error").mockImplementation(() => {});
    const { ids, explicitAcks, retryMessages } = await deliver("no-such-queue", [{ anything: 1 }]);
    expect(explicitAcks).toEqual([]);
    expect(retryMessages).toEqual([{ msgId: ids[0] }]);
    const logged = errors.mock.calls.map((args) => JSON.parse(String(args[0])));
    expect(logged).toContainEqual(
      expect.objectContaining({ level: "error", msg: "batch from an unknown queue", queue: "no-such-queue" }),
    );
  });
});

describe("the queue registry", () => {
  /** `[[queues.producers]]` and `[[queues.consumers]]` blocks of wrangler.toml, as key-value maps. */
  const blocks = (kind: "producers" | "consumers") =>
    wranglerToml
      .split(`[[queues.${kind}]]`)
      .slice(1)
      .map((block) =>
        Object.fromEntries([...block.split(/\n\[/)[0]!.matchAll(/^(\w+) = "?([^"\n]+)"?$/gm)].map((m) => [m[1], m[2]])),
      );

  it("declares in wrangler.toml exactly the producers, consumers and dead-letter queues of QUEUES", () => {
    const producers = blocks("producers").map((b) => [b.queue, b.binding]);
    expect(producers.sort()).toEqual(
      Object.entries(QUEUES)
        .flatMap(([name, q]) => ("binding" in q ? [[name, q.binding]] : []))
        .sort(),
    );
    const consumers = blocks("consumers").map((b) => [b.queue, b.dead_letter_queue ?? null]);
    expect(consumers.sort()).toEqual(
      Object.entries(QUEUES)
        .filter(([name]) => CONSUMERS[name as QueueName] !== null)
        .map(([name, q]) => [name, "deadLetter" in q ? q.deadLetter : null])
        .sort(),
    );
  });

  it("names every queue in the README's deploy steps", () => {
    const line = readme.split("\n").find((l) => l.startsWith("for q in "));
    expect(
      line
        ?.replace(/; do.*/, "")
        .split(" ")
        .slice(3)
        .sort(),
    ).toEqual(Object.keys(QUEUES).sort());
  });

  it("refuses to send a message its queue's schema does not accept", async () => {
    const sent = vi.spyOn(env.VIDEO_INDEX_QUEUE, "send");
    // The type allows any string; the queue's schema does not.
    await expect(send(env, "video-index", { video_id: "not an id!" })).rejects.toThrow();
    expect(sent).not.toHaveBeenCalled();
    await send(env, "video-index", { video_id: "abc123" });
    expect(sent).toHaveBeenCalledWith({ video_id: "abc123" });
  });
});
