import { evictDurableObject, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { countSecond, eventsFor, heldAbove, sampleTop } from "../../workers/durable-objects/live-sampling";
import { LIMITS, type RoomEvent } from "../../workers/durable-objects/video-room-protocol";
import { api, expectProblem, readyVideo, registerUser, type TestUser, waitFor } from "./fixtures";
import { join, type Watcher } from "./room-client";
import { stubTranscoder } from "./transcoder-stub";

stubTranscoder();

const hub = (videoId: string) => env.VIDEO_ROOM.get(env.VIDEO_ROOM.idFromName(videoId));
const post = (as: TestUser, videoId: string, content: string, parentId?: string) =>
  api(`/api/v1/videos/${videoId}/comments`, {
    method: "POST",
    as,
    json: { content, ...(parentId ? { parent_id: parentId } : {}) },
  });
const people = async (n: number) => Promise.all(Array.from({ length: n }, () => registerUser()));
const settings = (as: TestUser, videoId: string, json: unknown) =>
  api(`/api/v1/videos/${videoId}/live/settings`, { method: "PUT", as, json });

/** A published comment by `author`, as the POST hands it to the hub (for calling the hub directly). */
const draftBy = (author: TestUser, content: string, id: string) => ({
  id,
  parentId: null,
  userId: author.id,
  username: author.username,
  content,
  status: "published" as const,
  privileged: false,
  subscriber: false,
});

/** Every `comment_added` a watcher received, batched or not, in order of receipt. */
function commentsOf(w: Watcher) {
  return w.messages.flatMap((m) => (m.type === "batch" ? m.messages : [m])).filter((m) => m.type === "comment_added");
}

describe("sequence numbers and the backlog", () => {
  it("stamps every comment with a seq one above the last, across a restart, and answers what a socket missed", async () => {
    const owner = await registerUser();
    const { videoId } = await readyVideo(owner);
    const authors = await people(4);
    const seqs: number[] = [];
    for (const [i, who] of authors.entries()) {
      if (i === 2) await evictDurableObject(hub(videoId));
      const res = await post(who, videoId, `comment ${i}`);
      expect(res.status).toBe(201);
    }
    const events = (await (await api(`/api/v1/videos/${videoId}/live/events?after=0`)).json()) as {
      items: { type: string; seq: number; comment: { content: string } }[];
      seq: number;
    };
    for (const e of events.items) seqs.push(e.seq);
    expect(seqs).toEqual([1, 2, 3, 4]);
    expect(events.seq).toBe(4);
    expect(events.items.map((e) => e.comment.content)).toEqual(["comment 0", "comment 1", "comment 2", "comment 3"]);
    // A client that saw up to 2 asks for the rest.
    const missed = (await (await api(`/api/v1/videos/${videoId}/live/events?after=2&limit=1`)).json()) as {
      items: { seq: number }[];
    };
    expect(missed.items.map((e) => e.seq)).toEqual([3]);
    for (const bad of ["after=-1", "after=x", "limit=0"]) {
      await expectProblem(await api(`/api/v1/videos/${videoId}/live/events?${bad}`), 400, "validation_failed");
    }
    // A private video's backlog is its owner's.
    const { videoId: secret } = await readyVideo(owner, "private");
    await expectProblem(await api(`/api/v1/videos/${secret}/live/events`), 404, "not_found");
    expect((await api(`/api/v1/videos/${secret}/live/events`, { as: owner })).status).toBe(200);
  });

  it("loses no accepted comment when the hub restarts before its tick writes them to D1", async () => {
    const owner = await registerUser();
    const { videoId } = await readyVideo(owner);
    const room = hub(videoId);
    const authors = await people(5);
    const drafts = authors.map((a, i) =>
      draftBy(a, `before the restart ${i}`, `restart${i}${Date.now().toString(36)}`),
    );
    // Accepted (durable in the hub's own storage), then the object goes before any tick ran.
    const accepted = [];
    for (const draft of drafts) accepted.push(await room.addComment(videoId, draft));
    expect(accepted.every((r) => r.ok)).toBe(true);
    await evictDurableObject(room);
    await runDurableObjectAlarm(room);
    const stored = await env.COMMENTS.prepare("SELECT id FROM comments WHERE video_id = ? ORDER BY created_at")
      .bind(videoId)
      .all();
    expect(stored.results.map((r) => r.id)).toEqual(drafts.map((d) => d.id));
    const listed = (await (await api(`/api/v1/videos/${videoId}/comments`)).json()) as { total: number };
    expect(listed.total).toBe(5);
  });
});

describe("batched frames and top view", () => {
  it("sends ?batch=1 sockets every event once, in order, in a few frames", async () => {
    const owner = await registerUser();
    const { videoId } = await readyVideo(owner);
    const batched = await join(videoId, undefined, { batch: true });
    const plain = await join(videoId);
    await plain.next("counters");
    const authors = await people(6);
    const posted = await Promise.all(
      authors.flatMap((a, i) => [post(a, videoId, `burst ${i}a`), post(a, videoId, `burst ${i}b`)]),
    );
    expect(posted.every((r) => r.status === 201)).toBe(true);
    await waitFor(async () => commentsOf(batched).length >= 12 || undefined, "12 comments in batches");
    await waitFor(async () => commentsOf(plain).length >= 12 || undefined, "12 comments one by one");
    const seqs = commentsOf(batched).map((m) => m.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(new Set(seqs).size).toBe(12);
    expect(commentsOf(plain).map((m) => m.seq)).toEqual(seqs);
    const frames = batched.messages.filter(
      (m) => m.type === "batch" && m.messages.some((x: any) => x.type === "comment_added"),
    );
    expect(frames.length).toBeLessThan(12);
    for (const f of frames) {
      const inFrame = f.messages.filter((m: any) => "seq" in m).map((m: any) => m.seq);
      expect(f).toMatchObject({ seq_from: Math.min(...inFrame), seq_to: Math.max(...inFrame) });
    }
    // Old clients keep one message a frame.
    expect(plain.messages.some((m) => m.type === "batch")).toBe(false);
  });

  it("sends a batch socket at most one frame a tick, even when the hub's alarm runs between ticks", async () => {
    const owner = await registerUser();
    const { videoId } = await readyVideo(owner);
    const room = hub(videoId);
    const watcher = await join(videoId, undefined, { batch: true });
    await watcher.next("batch");
    const framesAt: number[] = [];
    watcher.socket.addEventListener("message", (e) => {
      if (String(e.data).includes("comment_added")) framesAt.push(Date.now());
    });
    const authors = await people(2);
    const draft = (a: TestUser, content: string) => draftBy(a, content, `spacing${content}${Date.now().toString(36)}`);
    expect((await room.addComment(videoId, draft(authors[0]!, "first"))).ok).toBe(true);
    await waitFor(async () => framesAt.length >= 1 || undefined, "the first comment's frame");
    // Right after that tick: another comment, and the alarm (which finishes what a tick may not
    // have) at once. The comment waits for the next tick all the same.
    expect((await room.addComment(videoId, draft(authors[1]!, "second"))).ok).toBe(true);
    expect(await runDurableObjectAlarm(room)).toBe(true);
    await waitFor(async () => framesAt.length >= 2 || undefined, "the second comment's frame");
    expect(commentsOf(watcher).map((m) => m.comment.content)).toEqual(["first", "second"]);
    expect(framesAt[1]! - framesAt[0]!).toBeGreaterThanOrEqual(LIMITS.tickMs - 20);
  });

  it("keeps top view within 8 comments a second, always with the owner's and replies to the viewer", async () => {
    const owner = await registerUser();
    const { videoId } = await readyVideo(owner);
    const viewer = await registerUser();
    const top = await join(videoId, viewer, { batch: true, view: "top" });
    const all = await join(videoId, undefined, { batch: true });
    await all.next("batch");
    const mine = await post(viewer, videoId, "the viewer's own comment");
    const mineId = ((await mine.json()) as { id: string }).id;
    const crowd = await people(30);
    const posted = await Promise.all([
      ...crowd.map((a, i) => post(a, videoId, `crowd ${i}`)),
      post(owner, videoId, "the owner speaks"),
      post(crowd[0]!, videoId, "a reply to the viewer", mineId),
    ]);
    expect(posted.every((r) => r.status === 201)).toBe(true);
    await waitFor(async () => commentsOf(all).length >= 33 || undefined, "every comment in the full view");
    await new Promise((r) => setTimeout(r, 500));
    const seen = commentsOf(top).map((m) => m.comment.content as string);
    expect(seen).toContain("the owner speaks");
    expect(seen).toContain("a reply to the viewer");
    expect(seen).toContain("the viewer's own comment");
    const sampled = seen.filter((c) => c.startsWith("crowd"));
    expect(sampled.length).toBeLessThanOrEqual(8);
    const frames = top.messages.filter((m) => m.type === "batch");
    const omitted = frames.reduce((n, f) => n + (f.omitted ?? 0), 0);
    expect(omitted).toBe(33 - seen.length);
  });

  it("samples at random, within the budget, and never drops a priority comment (pure rules)", () => {
    const comment = (n: number, extra: Partial<RoomEvent> = {}): RoomEvent => ({
      message: {
        type: "comment_added",
        video_id: "v",
        action: "add",
        seq: n,
        comment: {
          id: `c${n}`,
          video_id: "v",
          parent_id: null,
          status: "published",
          user: null,
          content: `${n}`,
          deleted: false,
          created_at: "",
          reply_count: 0,
        },
      },
      author: `u${n}`,
      ...extra,
    });
    const window: number[] = [];
    const first = [comment(1, { priority: true }), ...Array.from({ length: 20 }, (_, i) => comment(i + 2))];
    sampleTop(first, window, 1000, 8, () => 0.5);
    expect(first.filter((e) => e.sampled).length).toBe(7);
    expect(window).toHaveLength(8);
    // 200 ms later, within the same second: no budget left; a priority comment still goes.
    const second = [comment(30, { priority: true }), comment(31)];
    sampleTop(second, window, 1200, 8);
    expect(second[1]!.sampled).toBeUndefined();
    // A second later the window has moved on.
    const third = [comment(40)];
    sampleTop(third, window, 2300, 8);
    expect(third[0]!.sampled).toBe(true);
    const view = eventsFor([...first, comment(50, { replyTo: "me" })], {
      id: "me",
      mode: { batch: true, view: "top" },
    });
    expect(view.messages).toHaveLength(1 + 7 + 1);
    expect(view.omitted).toBe(20 - 7);
    const blocking = eventsFor(first, { mode: { batch: true, view: "all" }, blocked: new Set(["u2", "u3"]) });
    expect(blocking.messages).toHaveLength(19);
  });
});

describe("relays", () => {
  it("spreads watchers over relays of ROOM_RELAY_SOCKETS, delivers to all, and counts them all", async () => {
    const owner = await registerUser();
    const { videoId } = await readyVideo(owner);
    const watchers: Watcher[] = [];
    for (let i = 0; i < 11; i++) watchers.push(await join(videoId));
    await watchers[10]!.next("counters", (m) => m.viewers === 11);
    expect(env.ROOM_RELAY_SOCKETS).toBe("5");
    const res = await post(await registerUser(), videoId, "to every relay");
    expect(res.status).toBe(201);
    for (const w of watchers) {
      expect((await w.next("comment_added")).comment.content).toBe("to every relay");
    }
    // Eleven watchers at five to a relay: three relays, each told it holds its sockets.
    for (const k of [0, 1, 2]) {
      const relay = env.ROOM_RELAY.get(env.ROOM_RELAY.idFromName(`${videoId}:r${k}`));
      expect((await relay.deliver({ videoId, events: [] })).sockets).toBe(k < 2 ? 5 : 1);
    }
    for (const w of watchers) w.socket.close();
  });

  it("lets a watcher join when the hub cannot take the relay's count of its sockets", async () => {
    const owner = await registerUser();
    const { videoId } = await readyVideo(owner);
    const first = await join(videoId);
    await first.next("counters", (m) => m.viewers === 1);
    // The hub refuses the relay's next count report for this video (overloaded), once.
    const proto = await runInDurableObject(hub(videoId), (instance) => Object.getPrototypeOf(instance));
    const relaySockets = proto.relaySockets;
    let refused = 0;
    proto.relaySockets = function (this: unknown, id: string, ...rest: unknown[]) {
      if (id === videoId && refused === 0) {
        refused++;
        throw new Error("Durable Object is overloaded");
      }
      return relaySockets.call(this, id, ...rest);
    };
    let second: Watcher;
    try {
      second = await join(videoId);
    } finally {
      proto.relaySockets = relaySockets;
    }
    expect(refused).toBe(1);
    const res = await post(await registerUser(), videoId, "to both");
    expect(res.status).toBe(201);
    for (const w of [first, second]) expect((await w.next("comment_added")).comment.content).toBe("to both");
    for (const w of [first, second]) w.socket.close();
  });
});

describe("a relay's tick", () => {
  it("delivers a tick of more authors than a statement may bind variables, less those a viewer blocked", async () => {
    const owner = await registerUser();
    const { videoId } = await readyVideo(owner);
    const [viewer, troll] = await people(2);
    expect((await api(`/api/v1/users/me/blocks/${troll!.id}`, { method: "PUT", as: viewer })).status).toBe(204);
    const blocking = await join(videoId, viewer, { batch: true });
    const anyone = await join(videoId, undefined, { batch: true });
    await blocking.next("batch");
    await anyone.next("batch");
    // 150 authors in one tick (a busy second after a slow one): more than SQLite's 100 variables.
    const authors = [troll!.id, ...Array.from({ length: 149 }, (_, i) => `author${i}`)];
    const events = authors.map((author, i) => ({
      author,
      message: {
        type: "comment_added",
        video_id: videoId,
        comment: { id: `tick${i}`, content: `tick comment ${i}`, user: { id: author, username: author } },
        action: "add",
        seq: 1000 + i,
      } as unknown as RoomEvent["message"],
    }));
    const relay = env.ROOM_RELAY.get(env.ROOM_RELAY.idFromName(`${videoId}:r0`));
    expect((await relay.deliver({ videoId, events })).sockets).toBe(2);
    await waitFor(async () => commentsOf(anyone).length >= 150 || undefined, "the tick's 150 comments");
    await waitFor(async () => commentsOf(blocking).length >= 149 || undefined, "149 of them");
    expect(commentsOf(anyone).map((m) => m.seq)).toEqual(events.map((_, i) => 1000 + i));
    expect(commentsOf(blocking).map((m) => m.comment.user.id)).toEqual(authors.slice(1));
  });

  it("sends a relay what its failed delivery missed, before the next tick's, once each and in order", async () => {
    const owner = await registerUser();
    const { videoId } = await readyVideo(owner);
    const watcher = await join(videoId, undefined, { batch: true });
    await watcher.next("batch");
    // The relay's next delivery for this video fails (an overloaded or restarting object), once.
    const relay = env.ROOM_RELAY.get(env.ROOM_RELAY.idFromName(`${videoId}:r0`));
    const proto = await runInDurableObject(relay, (instance) => Object.getPrototypeOf(instance));
    const deliver = proto.deliver;
    let failed = 0;
    proto.deliver = function (this: unknown, delivery: { videoId: string }) {
      if (delivery.videoId === videoId && failed === 0) {
        failed++;
        throw new Error("Durable Object is overloaded");
      }
      return deliver.call(this, delivery);
    };
    try {
      const [a, b] = await people(2);
      expect((await post(a!, videoId, "missed once")).status).toBe(201);
      await waitFor(async () => failed === 1 || undefined, "the failed delivery");
      expect((await post(b!, videoId, "after it")).status).toBe(201);
      await waitFor(async () => commentsOf(watcher).length >= 2 || undefined, "both comments");
    } finally {
      proto.deliver = deliver;
    }
    const got = commentsOf(watcher);
    expect(got.map((m) => m.comment.content)).toEqual(["missed once", "after it"]);
    expect(got[1]!.seq).toBe(got[0]!.seq + 1);
  });
});

describe("live limits and settings", () => {
  it("allows a burst of three, then one comment per 2 s, to everyone but the owner", async () => {
    const owner = await registerUser();
    const { videoId } = await readyVideo(owner);
    const user = await registerUser();
    for (let i = 0; i < 3; i++) expect((await post(user, videoId, `quick ${i}`)).status).toBe(201);
    const limited = await post(user, videoId, "too quick");
    await expectProblem(limited, 429, "rate_limited");
    expect(Number(limited.headers.get("Retry-After"))).toBeGreaterThanOrEqual(1);
    expect(Number(limited.headers.get("Retry-After"))).toBeLessThanOrEqual(2);
    for (let i = 0; i < 5; i++) expect((await post(owner, videoId, `owner ${i}`)).status).toBe(201);
  });

  it("lets the owner set slow mode and who may comment, pushed to the room as settings", async () => {
    const owner = await registerUser();
    const { videoId } = await readyVideo(owner);
    const [fan, stranger] = await people(2);
    const watcher = await join(videoId);
    await watcher.next("counters");
    expect(await (await api(`/api/v1/videos/${videoId}/live/settings`)).json()).toEqual({
      slow_mode_seconds: 0,
      comments: "open",
    });

    const slow = await settings(owner, videoId, { slow_mode_seconds: 30 });
    expect(await slow.json()).toEqual({ slow_mode_seconds: 30, comments: "open" });
    expect(await watcher.next("settings")).toMatchObject({
      slow_mode_seconds: 30,
      comments: "open",
      seq: expect.any(Number),
    });
    expect((await post(fan!, videoId, "first in slow mode")).status).toBe(201);
    const again = await post(fan!, videoId, "second in slow mode");
    await expectProblem(again, 429, "slow_mode");
    expect(Number(again.headers.get("Retry-After"))).toBeGreaterThan(25);
    expect((await post(owner, videoId, "owners are exempt")).status).toBe(201);

    const kept = (await (await settings(owner, videoId, { comments: "subscribers" })).json()) as Record<
      string,
      unknown
    >;
    expect(kept.slow_mode_seconds).toBe(30);
    await expectProblem(await post(stranger!, videoId, "not subscribed"), 403, "subscribers_only");
    const sub = await api(`/api/v1/channels/${owner.channel_id}/subscription`, { method: "POST", as: stranger });
    expect(sub.status).toBe(204);
    expect((await post(stranger!, videoId, "subscribed now")).status).toBe(201);

    await settings(owner, videoId, { comments: "closed", slow_mode_seconds: 0 });
    await expectProblem(await post(stranger!, videoId, "closed"), 403, "comments_closed");
    expect((await post(owner, videoId, "the owner still may")).status).toBe(201);

    // Only the owner sets them, within bounds.
    await expectProblem(await settings(fan!, videoId, { comments: "open" }), 403, "forbidden");
    for (const bad of [{ slow_mode_seconds: -1 }, { slow_mode_seconds: 301 }, { comments: "friends" }, { other: 1 }]) {
      await expectProblem(await settings(owner, videoId, bad), 400, "validation_failed");
    }
    await expectProblem(
      await api(`/api/v1/videos/${videoId}/live/settings`, { method: "PUT", json: {} }),
      401,
      "unauthorized",
    );
    expect(
      await env.COMMENTS.prepare("SELECT count(*) AS n FROM comments WHERE video_id = ?").bind(videoId).first(),
    ).toEqual({ n: 4 });
  });

  it("turns slow mode on when the accepted rate holds above the threshold for 10 s (pure rule)", () => {
    let log = countSecond([], 0, 10);
    for (let s = 0; s < 10; s++) for (let i = 0; i < 50; i++) log = countSecond(log, s * 1000 + i, 10);
    expect(heldAbove(log, 10_000, 50, 10)).toBe(true);
    expect(heldAbove(log, 11_000, 50, 10)).toBe(false);
    const thin = log.map((r) => (r.second === 4 ? { ...r, count: 49 } : r));
    expect(heldAbove(thin, 10_000, 50, 10)).toBe(false);
  });
});
