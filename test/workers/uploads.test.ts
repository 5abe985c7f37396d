import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { COMPLETED_PARTS_KEPT_MS, pruneUploadParts } from "../../workers/services/uploads";
import { databaseOf } from "../../workers/wiring/deps";
import { api, initiate, MiB, mp4Bytes, putPart, registerUser, row, runCron, sendAll, type TestUser } from "./fixtures";

afterEach(() => vi.restoreAllMocks());

/** A two-part upload of `file` (over 8 MiB), sent and completed: its initiate answer. */
async function completedUpload(user: TestUser, file: Uint8Array, title: string) {
  const { body } = await initiate(user, { size: file.length, title });
  expect((await putPart(user, body.upload_id, 1, file.subarray(0, 8 * MiB))).status).toBe(200);
  expect((await putPart(user, body.upload_id, 2, file.subarray(8 * MiB))).status).toBe(200);
  const complete = await api(`/api/v1/videos/upload/${body.upload_id}/complete`, {
    method: "POST",
    as: user,
    json: {},
  });
  expect(complete.status).toBe(202);
  return body;
}

describe("upload: the spec's chunk protocol", () => {
  it("initiates, takes parts, resumes from the part list, completes into one R2 object and one message", async () => {
    const user = await registerUser();
    const file = mp4Bytes(12 * MiB + 123);
    const { res, body } = await initiate(user, {
      size: file.length,
      title: "Holiday",
      tags: ["sea"],
      visibility: "unlisted",
    });
    expect(res.status).toBe(201);
    expect(body).toMatchObject({ part_size: 8 * MiB, part_count: 2 });
    expect(body).not.toHaveProperty("part_urls");
    expect(Date.parse(body.expires_at) - Date.now()).toBeGreaterThan(23 * 3600_000);

    const video = await row("SELECT status, title, visibility, tags FROM videos WHERE id = ?", body.video_id);
    expect(video).toEqual({ status: "uploading", title: "Holiday", visibility: "unlisted", tags: '["sea"]' });

    // Part 2 first (order is free), then the client "crashes" and asks what arrived.
    const second = await putPart(user, body.upload_id, 2, file.subarray(8 * MiB));
    expect(second.status).toBe(200);
    expect(await second.json()).toMatchObject({ part: 2, size: 4 * MiB + 123 });

    const state = await api(`/api/v1/videos/upload/${body.upload_id}`, { as: user });
    expect(state.status).toBe(200);
    const resume = (await state.json()) as { parts: { part: number }[]; received_bytes: number; status: string };
    expect(resume.parts.map((p) => p.part)).toEqual([2]);
    expect(resume.received_bytes).toBe(4 * MiB + 123);
    expect(resume.status).toBe("open");

    // Completing now names what is missing.
    const early = await api(`/api/v1/videos/upload/${body.upload_id}/complete`, { method: "POST", as: user, json: {} });
    expect(early.status).toBe(409);
    expect(await early.json()).toMatchObject({ code: "upload_incomplete", missing_parts: [1] });

    expect((await putPart(user, body.upload_id, 1, file.subarray(0, 8 * MiB))).status).toBe(200);

    // Two concurrent completes and a later repeat: one object, one message, same answers.
    const answers = await Promise.all(
      [1, 2].map(() => api(`/api/v1/videos/upload/${body.upload_id}/complete`, { method: "POST", as: user, json: {} })),
    );
    for (const answer of answers) {
      expect(answer.status).toBe(202);
      expect(await answer.json()).toEqual({ video_id: body.video_id, status: "processing" });
    }
    const repeat = await api(`/api/v1/videos/upload/${body.upload_id}/complete`, {
      method: "POST",
      as: user,
      json: {},
    });
    expect(repeat.status).toBe(202);
    expect(await repeat.json()).toEqual({ video_id: body.video_id, status: "processing" });

    const stored = await env.MEDIA.get(`videos/${body.video_id}/source/original.mp4`);
    expect(stored).not.toBeNull();
    expect(new Uint8Array(await stored!.arrayBuffer())).toEqual(file);
    expect(await row("SELECT status FROM videos WHERE id = ?", body.video_id)).toEqual({ status: "processing" });
    expect(await row("SELECT status FROM uploads WHERE id = ?", body.upload_id)).toEqual({ status: "completed" });

    // A completed upload takes no more parts.
    const late = await putPart(user, body.upload_id, 1, file.subarray(0, 8 * MiB));
    expect(late.status).toBe(409);
    expect(await late.json()).toMatchObject({ code: "upload_closed" });
  });

  it("forgets a completed upload's parts 7 days on (the cron), never an open upload's", async () => {
    const user = await registerUser();
    const file = mp4Bytes(8 * MiB + 77);
    const done = await completedUpload(user, file, "Kept a week");
    const open = (await initiate(user, { size: file.length, title: "Still uploading" })).body;
    expect((await putPart(user, open.upload_id, 2, file.subarray(8 * MiB))).status).toBe(200);
    const partsOf = async (uploadId: string) =>
      (await row("SELECT count(*) AS n FROM upload_parts WHERE upload_id = ?", uploadId)) as { n: number };
    const state = async () => {
      const res = await api(`/api/v1/videos/upload/${done.upload_id}`, { as: user });
      expect(res.status).toBe(200);
      return (await res.json()) as { status: string; parts: { part: number; size: number }[]; received_bytes: number };
    };

    // Within the week: the cron keeps them, and the upload still lists its parts.
    await runCron(Date.now() + COMPLETED_PARTS_KEPT_MS - 60_000);
    expect(await partsOf(done.upload_id)).toEqual({ n: 2 });
    expect(await state()).toMatchObject({
      status: "completed",
      parts: [
        { part: 1, size: 8 * MiB },
        { part: 2, size: 77 },
      ],
      received_bytes: file.length,
    });

    // A week on, in batches of one part: the completed upload's parts go, the open upload's stay.
    const forgotten = await pruneUploadParts(databaseOf(env), Date.now() + COMPLETED_PARTS_KEPT_MS + 60_000, 1);
    // (Other tests' completed uploads share this database: at least this one's two went.)
    expect(forgotten).toBeGreaterThanOrEqual(2);
    expect(await partsOf(done.upload_id)).toEqual({ n: 0 });
    expect(await partsOf(open.upload_id)).toEqual({ n: 1 });
    // The upload answers as S3 does for a completed multipart upload: no parts, every byte received.
    expect(await state()).toEqual(
      expect.objectContaining({ status: "completed", parts: [], received_bytes: file.length, size: file.length }),
    );
    // The video is untouched: its source is in R2 and it is processing.
    expect(await row("SELECT status FROM videos WHERE id = ?", done.video_id)).toEqual({ status: "processing" });
    expect(await env.MEDIA.head(`videos/${done.video_id}/source/original.mp4`)).not.toBeNull();
  });

  it("the cron forgets completed uploads' parts once the week is over", async () => {
    const user = await registerUser();
    const body = await completedUpload(user, mp4Bytes(8 * MiB + 5), "Cron");
    await runCron(Date.now() + COMPLETED_PARTS_KEPT_MS + 60_000);
    expect(await row("SELECT count(*) AS n FROM upload_parts WHERE upload_id = ?", body.upload_id)).toEqual({ n: 0 });
    expect(await row("SELECT status FROM uploads WHERE id = ?", body.upload_id)).toEqual({ status: "completed" });
  });

  it("replaces a re-sent part", async () => {
    const user = await registerUser();
    const file = mp4Bytes(6 * MiB);
    const { body } = await initiate(user, { size: file.length });
    expect(body.part_count).toBe(1);
    expect((await putPart(user, body.upload_id, 1, mp4Bytes(6 * MiB, 99))).status).toBe(200);
    expect((await putPart(user, body.upload_id, 1, file)).status).toBe(200);
    const state = (await (await api(`/api/v1/videos/upload/${body.upload_id}`, { as: user })).json()) as {
      parts: unknown[];
    };
    expect(state.parts).toHaveLength(1);
    const done = await api(`/api/v1/videos/upload/${body.upload_id}/complete`, { method: "POST", as: user, json: {} });
    expect(done.status).toBe(202);
    const stored = await env.MEDIA.get(`videos/${body.video_id}/source/original.mp4`);
    expect(new Uint8Array(await stored!.arrayBuffer())).toEqual(file);
  });

  it("sends exactly one video-upload message per completed upload, and the consumer records it once", async () => {
    const user = await registerUser();
    const file = mp4Bytes(5 * MiB);
    const { body } = await initiate(user, { size: file.length, title: "Queued" });
    await sendAll(user, body.upload_id, file, body.part_size);
    const sent = vi.spyOn(env.VIDEO_UPLOAD_QUEUE, "send");
    await api(`/api/v1/videos/upload/${body.upload_id}/complete`, { method: "POST", as: user, json: {} });
    await api(`/api/v1/videos/upload/${body.upload_id}/complete`, { method: "POST", as: user, json: {} });
    // Every message the two completes sent, not just the first one found.
    expect(sent.mock.calls.filter(([message]) => (message as { video_id: string }).video_id === body.video_id)).toEqual(
      [
        [
          expect.objectContaining({
            video_id: body.video_id,
            source_key: `videos/${body.video_id}/source/original.mp4`,
          }),
        ],
      ],
    );
    // The local queue delivers in batches (max_batch_timeout 1 s).
    let job: Record<string, unknown> | null = null;
    for (let i = 0; i < 50 && !job; i++) {
      job = await row("SELECT video_id, source_key, attempts FROM transcode_jobs WHERE video_id = ?", body.video_id);
      if (!job) await new Promise((r) => setTimeout(r, 100));
    }
    expect(job).toEqual({
      video_id: body.video_id,
      source_key: `videos/${body.video_id}/source/original.mp4`,
      attempts: 1,
    });
  });

  it("aborts on DELETE: nothing of the upload stays in R2 or D1", async () => {
    const user = await registerUser();
    const file = mp4Bytes(10 * MiB);
    const { body } = await initiate(user, { size: file.length });
    expect((await putPart(user, body.upload_id, 1, file.subarray(0, 8 * MiB))).status).toBe(200);
    const del = await api(`/api/v1/videos/upload/${body.upload_id}`, { method: "DELETE", as: user });
    expect(del.status).toBe(204);
    expect(await row("SELECT id FROM uploads WHERE id = ?", body.upload_id)).toBeNull();
    expect(await row("SELECT id FROM videos WHERE id = ?", body.video_id)).toBeNull();
    expect(await row("SELECT count(*) AS n FROM upload_parts WHERE upload_id = ?", body.upload_id)).toEqual({ n: 0 });
    const listed = await env.MEDIA.list({ prefix: `videos/${body.video_id}/` });
    expect(listed.objects).toHaveLength(0);
    expect((await api(`/api/v1/videos/upload/${body.upload_id}`, { as: user })).status).toBe(404);
  });
});

describe("upload: part sizes", () => {
  it("keeps parts at 8 MiB by default and grows them so a file fits in 10,000 parts", async () => {
    const user = await registerUser();
    const big = await initiate(user, { size: 10 * 1024 ** 3 });
    expect(big.res.status).toBe(201);
    expect(big.body.part_count).toBeLessThanOrEqual(10_000);
    expect(big.body.part_size).toBeGreaterThanOrEqual(5 * MiB);
    expect(big.body.part_size % MiB).toBe(0);
    expect(big.body.part_size * big.body.part_count).toBeGreaterThanOrEqual(10 * 1024 ** 3);
    const small = await initiate(user, { size: 1000 });
    expect(small.body).toMatchObject({ part_size: 8 * MiB, part_count: 1 });
  });
});
