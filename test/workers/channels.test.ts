import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import worker from "../../workers/index";
import { userInboxOf } from "../../workers/wiring/inbox";
import { api, expectProblem, processingVideo, readyVideo, registerUser, type TestUser, waitFor } from "./fixtures";
import { sendEvent, stubTranscoder } from "./transcoder-stub";

stubTranscoder();

type Channel = { id: string; subscriber_count: number; video_count: number };
type List<T> = { items: T[]; page: number; limit: number; total: number };
type Summary = { id: string; title: string; channel: { id: string }; published_at: string };
type Notice = { type: string; video_id?: string; message: string };

const channelOf = async (user: TestUser) =>
  (await (await api(`/api/v1/channels/${user.channel_id}`)).json()) as Channel;
const subscribe = (user: TestUser, channelId: string, method = "POST") =>
  api(`/api/v1/channels/${channelId}/subscription`, { method, as: user });
const newVideoNotices = async (user: TestUser) => {
  const list = (await (await api("/api/v1/users/me/notifications?limit=100", { as: user })).json()) as List<Notice>;
  return list.items.filter((n) => n.type === "new_video");
};
const setVisibility = (user: TestUser, videoId: string, visibility: string) =>
  api(`/api/v1/videos/${videoId}`, { method: "PATCH", as: user, json: { visibility } });

describe("subscriptions", () => {
  it("subscribes once however often asked, counts exactly, lists and unsubscribes", async () => {
    const [creator, other, fan] = [await registerUser(), await registerUser(), await registerUser()];
    expect((await subscribe(fan, creator.channel_id)).status).toBe(204);
    expect((await subscribe(fan, creator.channel_id)).status).toBe(204);
    expect((await subscribe(fan, other.channel_id)).status).toBe(204);
    expect((await subscribe(other, creator.channel_id)).status).toBe(204);
    expect((await channelOf(creator)).subscriber_count).toBe(2);

    const mine = (await (await api("/api/v1/users/me/subscriptions", { as: fan })).json()) as List<
      Channel & { subscribed_at: string }
    >;
    expect(mine.total).toBe(2);
    expect(mine.items.map((c) => c.id)).toEqual([other.channel_id, creator.channel_id]);
    expect(mine.items[1]).toMatchObject({ id: creator.channel_id, subscriber_count: 2, video_count: 0 });

    expect((await subscribe(fan, creator.channel_id, "DELETE")).status).toBe(204);
    expect((await subscribe(fan, creator.channel_id, "DELETE")).status).toBe(204);
    expect((await channelOf(creator)).subscriber_count).toBe(1);
    const after = (await (await api("/api/v1/users/me/subscriptions", { as: fan })).json()) as List<Channel>;
    expect(after.items.map((c) => c.id)).toEqual([other.channel_id]);
  });
});

describe("channel videos", () => {
  it("lists public, ready videos newest first, and keeps video_count exact through edits and deletes", async () => {
    const creator = await registerUser();
    const first = await readyVideo(creator);
    const second = await readyVideo(creator);
    const hidden = await readyVideo(creator, "private");
    const unlisted = await readyVideo(creator, "unlisted");
    await processingVideo(creator);
    const list = async (query = "") =>
      (await (await api(`/api/v1/channels/${creator.channel_id}/videos${query}`)).json()) as List<Summary>;

    let page = await list();
    expect(page.items.map((v) => v.id)).toEqual([second.videoId, first.videoId]);
    expect(page).toMatchObject({ page: 1, limit: 20, total: 2 });
    expect(page.items[0]).toMatchObject({ title: "A test video", channel: { id: creator.channel_id } });
    expect((await channelOf(creator)).video_count).toBe(2);

    const one = await list("?limit=1&page=2");
    expect(one.items.map((v) => v.id)).toEqual([first.videoId]);

    expect((await setVisibility(creator, hidden.videoId, "public")).status).toBe(200);
    expect((await setVisibility(creator, second.videoId, "unlisted")).status).toBe(200);
    expect((await setVisibility(creator, unlisted.videoId, "private")).status).toBe(200);
    page = await list();
    expect(page.items.map((v) => v.id)).toEqual([hidden.videoId, first.videoId]);
    expect((await channelOf(creator)).video_count).toBe(2);

    expect((await api(`/api/v1/videos/${first.videoId}`, { method: "DELETE", as: creator })).status).toBe(204);
    expect((await channelOf(creator)).video_count).toBe(1);
    expect((await list()).items.map((v) => v.id)).toEqual([hidden.videoId]);
  });

  it("answers 404 for a missing channel and 400 for bad paging", async () => {
    await expectProblem(await api("/api/v1/channels/nosuchchannel/videos"), 404, "not_found");
    const creator = await registerUser();
    for (const q of ["?limit=0", "?limit=-1", "?page=0", "?page=x"]) {
      await expectProblem(await api(`/api/v1/channels/${creator.channel_id}/videos${q}`), 400, "validation_failed");
    }
  });
});

describe("new_video notifications", () => {
  it("reach every subscriber once, a page per queue message, for public videos only", async () => {
    const creator = await registerUser();
    const fans: TestUser[] = [];
    for (let i = 0; i < 5; i++) fans.push(await registerUser());
    const bystander = await registerUser();
    for (const fan of fans) expect((await subscribe(fan, creator.channel_id)).status).toBe(204);

    const { videoId } = await readyVideo(creator);
    // FANOUT_PAGE_SIZE is 2 in tests: five subscribers take three chained messages.
    for (const fan of fans) {
      const notices = await waitFor(async () => {
        const n = await newVideoNotices(fan);
        return n.length ? n : undefined;
      }, "the new_video notification");
      expect(notices).toEqual([expect.objectContaining({ video_id: videoId })]);
      expect(notices[0]!.message).toContain("A test video");
    }
    expect(await newVideoNotices(bystander)).toEqual([]);
    // The uploader gets "ready", not "new".
    expect(await newVideoNotices(creator)).toEqual([]);

    // Unlisted and private videos are never announced.
    const quiet = [await readyVideo(creator, "unlisted"), await readyVideo(creator, "private")];
    const marker = await readyVideo(creator);
    for (const fan of fans) {
      await waitFor(async () => (await newVideoNotices(fan)).length === 2, "the second public video's notice");
      const ids = (await newVideoNotices(fan)).map((n) => n.video_id);
      expect(ids.sort()).toEqual([videoId, marker.videoId].sort());
      for (const q of quiet) expect(ids).not.toContain(q.videoId);
    }
  });

  it("announces a ready video when it is made public, once however often", async () => {
    const creator = await registerUser();
    const fan = await registerUser();
    await subscribe(fan, creator.channel_id);
    const hidden = await readyVideo(creator, "private");
    const unlisted = await readyVideo(creator, "unlisted");
    expect((await setVisibility(creator, hidden.videoId, "public")).status).toBe(200);
    expect((await setVisibility(creator, unlisted.videoId, "public")).status).toBe(200);
    const announced = await waitFor(async () => {
      const ids = (await newVideoNotices(fan)).map((n) => n.video_id);
      return ids.length === 2 && ids.sort();
    }, "notices of the two videos made public");
    expect(announced).toEqual([hidden.videoId, unlisted.videoId].sort());

    // Private and public again tells no one twice; a new video's notice shows the queue has moved on.
    expect((await setVisibility(creator, hidden.videoId, "private")).status).toBe(200);
    expect((await setVisibility(creator, hidden.videoId, "public")).status).toBe(200);
    const marker = await readyVideo(creator);
    await waitFor(async () => (await newVideoNotices(fan)).length >= 3, "the new video's notice");
    expect((await newVideoNotices(fan)).map((n) => n.video_id).sort()).toEqual(
      [hidden.videoId, unlisted.videoId, marker.videoId].sort(),
    );
  });

  it("adds nothing when a page is delivered again, and stops for a video made private", async () => {
    const creator = await registerUser();
    const fans = [await registerUser(), await registerUser(), await registerUser()];
    for (const fan of fans) await subscribe(fan, creator.channel_id);
    const { videoId, job } = await processingVideo(creator);
    // Hold the video back from the real queue's fan-out: private while it becomes ready.
    expect((await setVisibility(creator, videoId, "private")).status).toBe(200);
    expect(
      (await sendEvent(job, { type: "completed", metadata: { duration: 8, width: 256, height: 144 }, renditions: [] }))
        .status,
    ).toBe(204);

    const deliver = async (after: string | null) => {
      const batch = createMessageBatch("notification-fanout", [
        {
          id: crypto.randomUUID(),
          timestamp: new Date(),
          attempts: 1,
          body: { kind: "new_video", video_id: videoId, after },
        },
      ]);
      const ctx = createExecutionContext();
      await worker.queue(batch, env, ctx);
      return getQueueResult(batch, ctx);
    };
    // The notices land in each fan's inbox object, not in D1.
    const count = async () => {
      let n = 0;
      for (const fan of fans) {
        const { rows } = await userInboxOf(env, fan.id).latest(100);
        n += rows.filter((r) => r.type === "new_video" && r.video_id === videoId).length;
      }
      return n;
    };

    expect((await deliver(null)).explicitAcks).toHaveLength(1);
    expect(await count()).toBe(0);

    expect((await setVisibility(creator, videoId, "public")).status).toBe(200);
    await deliver(null);
    await deliver(null);
    // Page size 2: the first page twice still makes two rows; the rest follow on the real queue.
    expect(await waitFor(async () => (await count()) === 3 && 3, "the whole fan-out")).toBe(3);
    await deliver(null);
    expect(await count()).toBe(3);
    const d1 = await env.DB.prepare("SELECT count(*) AS n FROM notifications WHERE type = 'new_video' AND video_id = ?")
      .bind(videoId)
      .first();
    expect(d1).toEqual({ n: 0 });
  });
});

describe("subscriptions: bad input", () => {
  it("refuses self, missing channels, anonymous callers and bad ids", async () => {
    const user = await registerUser();
    await expectProblem(await subscribe(user, user.channel_id), 400, "cannot_subscribe_to_self");
    for (const method of ["POST", "DELETE"]) {
      await expectProblem(await subscribe(user, "nosuchchannel", method), 404, "not_found");
      const anonymous = await api(`/api/v1/channels/${user.channel_id}/subscription`, { method });
      await expectProblem(anonymous, 401, "unauthorized");
      await expectProblem(await subscribe(user, "not-a-valid-id!", method), 400, "validation_failed");
    }
    await expectProblem(await api("/api/v1/users/me/subscriptions"), 401, "unauthorized");
    await expectProblem(await api("/api/v1/users/me/subscriptions?limit=0", { as: user }), 400, "validation_failed");
    expect((await channelOf(user)).subscriber_count).toBe(0);
  });
});
