import { evictDurableObject, runDurableObjectAlarm } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import { type Comment, commentList, postComment } from "./comment-fixtures";
import { api, readyVideo, registerUser, type TestUser, waitFor } from "./fixtures";
import { join } from "./room-client";
import { stubTranscoder } from "./transcoder-stub";

stubTranscoder();

const post = postComment;
const list = commentList;

const room = (videoId: string) => env.VIDEO_ROOM.get(env.VIDEO_ROOM.idFromName(videoId));

async function storedCommentCount(videoId: string) {
  // The room flushes counts from its alarm; run it now rather than wait for it.
  await runDurableObjectAlarm(room(videoId));
  const row = await env.DB.prepare("SELECT comment_count FROM videos WHERE id = ?")
    .bind(videoId)
    .first<{ comment_count: number }>();
  return row!.comment_count;
}
describe("comments: posting and reading", () => {
  it("stores a comment as plain text with its author and answers it per the API document", async () => {
    const owner = await registerUser();
    const { videoId } = await readyVideo(owner);
    const fan = await registerUser();
    const html = "  <script>alert('hi')</script> & <b>bold</b>  ";
    const comment = await post(fan, videoId, html);
    expect(comment).toEqual({
      id: expect.stringMatching(/^[0-9A-Za-z]{16}$/),
      video_id: videoId,
      parent_id: null,
      user: { id: fan.id, username: fan.username },
      content: html.trim(),
      deleted: false,
      status: "published",
      created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      reply_count: 0,
    });
    const page = await list(`/api/v1/videos/${videoId}/comments`);
    expect(page).toMatchObject({ page: 1, limit: 20, total: 1 });
    expect(page.items).toEqual([{ ...comment, replies: [] }]);
    expect(await storedCommentCount(videoId)).toBe(1);
  });

  it("lists top-level comments newest first, each with its first 3 replies and reply_count, paginated", async () => {
    const owner = await registerUser();
    const { videoId } = await readyVideo(owner);
    // Five people: each stays inside the live limit of three comments in a burst.
    const people = [
      await registerUser(),
      await registerUser(),
      await registerUser(),
      await registerUser(),
      await registerUser(),
    ];
    const [a, b, c] = people as [TestUser, TestUser, TestUser];
    const first = await post(a, videoId, "first");
    const second = await post(b, videoId, "second");
    const third = await post(c, videoId, "third");
    const replies: Comment[] = [];
    for (let i = 1; i <= 5; i++) replies.push(await post(people[i - 1]!, videoId, `reply ${i}`, second.id));

    const page1 = await list(`/api/v1/videos/${videoId}/comments?limit=2`);
    expect(page1).toMatchObject({ page: 1, limit: 2, total: 3 });
    expect(page1.items.map((c) => c.content)).toEqual(["third", "second"]);
    expect(page1.items[1]!.reply_count).toBe(5);
    // The first three replies, as a conversation reads: oldest first.
    expect(page1.items[1]!.replies.map((r: Comment) => r.content)).toEqual(["reply 1", "reply 2", "reply 3"]);
    expect(page1.items[1]!.replies[0]).toMatchObject({
      parent_id: second.id,
      user: { id: a.id, username: a.username },
    });
    expect(page1.items[0]!.replies).toEqual([]);

    const page2 = await list(`/api/v1/videos/${videoId}/comments?limit=2&page=2`);
    expect(page2.items.map((c) => c.id)).toEqual([first.id]);
    const page3 = await list(`/api/v1/videos/${videoId}/comments?limit=2&page=3`);
    expect(page3).toMatchObject({ items: [], total: 3 });

    // "Load more": every direct reply, paginated.
    const more = await list(`/api/v1/comments/${second.id}/replies?limit=4`);
    expect(more).toMatchObject({ total: 5, page: 1, limit: 4 });
    expect(more.items.map((r) => r.content)).toEqual(["reply 1", "reply 2", "reply 3", "reply 4"]);
    const rest = await list(`/api/v1/comments/${second.id}/replies?limit=4&page=2`);
    expect(rest.items.map((r) => r.id)).toEqual([replies[4]!.id]);
    expect(third.reply_count).toBe(0);
  });

  it("nests replies to any depth, each level with its own first replies and count", async () => {
    const owner = await registerUser();
    const { videoId } = await readyVideo(owner);
    // The owner, who is exempt from the live limits, writes the whole chain.
    const user = owner;
    let parent = await post(user, videoId, "depth 0");
    const chain = [parent];
    for (let depth = 1; depth <= 6; depth++) {
      parent = await post(user, videoId, `depth ${depth}`, parent.id);
      chain.push(parent);
    }
    for (let depth = 0; depth < 6; depth++) {
      const level = await list(`/api/v1/comments/${chain[depth]!.id}/replies`);
      expect(level.total).toBe(1);
      expect(level.items[0]).toMatchObject({
        id: chain[depth + 1]!.id,
        content: `depth ${depth + 1}`,
        reply_count: depth < 5 ? 1 : 0,
      });
      expect(level.items[0]!.replies.map((r: Comment) => r.id)).toEqual(depth < 5 ? [chain[depth + 2]!.id] : []);
    }
    const top = await list(`/api/v1/videos/${videoId}/comments`);
    expect(top.total).toBe(1);
    expect(await storedCommentCount(videoId)).toBe(7);
  });

  it("sorts by most replies with sort=top", async () => {
    const owner = await registerUser();
    const { videoId } = await readyVideo(owner);
    const user = await registerUser();
    const quiet = await post(user, videoId, "quiet");
    const busy = await post(user, videoId, "busy");
    const middling = await post(user, videoId, "middling");
    for (const content of ["a", "b", "c"]) await post(owner, videoId, content, busy.id);
    await post(owner, videoId, "d", middling.id);
    const top = await list(`/api/v1/videos/${videoId}/comments?sort=top`);
    expect(top.items.map((c) => c.id)).toEqual([busy.id, middling.id, quiet.id]);
    const newest = await list(`/api/v1/videos/${videoId}/comments?sort=newest`);
    expect(newest.items.map((c) => c.id)).toEqual([middling.id, busy.id, quiet.id]);
  });

  it("serves the cached first page until a new or deleted comment purges it", async () => {
    const owner = await registerUser();
    const { videoId } = await readyVideo(owner);
    const user = await registerUser();
    const one = await post(user, videoId, "one");
    expect((await list(`/api/v1/videos/${videoId}/comments`)).total).toBe(1);
    // Change D1 behind the service's back: a cached page does not see it...
    await env.COMMENTS.prepare("UPDATE comments SET content = 'edited behind the cache' WHERE id = ?")
      .bind(one.id)
      .run();
    expect((await list(`/api/v1/videos/${videoId}/comments`)).items[0]!.content).toBe("one");
    // ...an uncached size does, and a new comment purges every cached first page.
    expect((await list(`/api/v1/videos/${videoId}/comments?limit=7`)).items[0]!.content).toBe(
      "edited behind the cache",
    );
    await post(user, videoId, "two");
    // The author reads it at once; everyone else once its purge ran (at once, or within a second
    // of the last one: "one" was posted moments ago).
    const mine = await list(`/api/v1/videos/${videoId}/comments`, user);
    expect(mine.items.map((c) => c.content)).toEqual(["two", "edited behind the cache"]);
    const after = await waitFor(async () => {
      const page = await list(`/api/v1/videos/${videoId}/comments`);
      return page.total === 2 && page;
    }, "the purge of the cached first page");
    expect(after.items.map((c) => c.content)).toEqual(["two", "edited behind the cache"]);
    await api(`/api/v1/comments/${one.id}`, { method: "DELETE", as: user });
    expect((await list(`/api/v1/videos/${videoId}/comments`)).items.map((c) => c.content)).toEqual(["two"]);
  });

  it("shares the purges of a busy video's first page, and every author reads their own comment at once", async () => {
    const owner = await registerUser();
    const { videoId } = await readyVideo(owner);
    const authors = await Promise.all(Array.from({ length: 6 }, () => registerUser()));
    // Both sorts' first pages cached, as a popular video's are.
    expect((await list(`/api/v1/videos/${videoId}/comments`)).total).toBe(0);
    expect((await list(`/api/v1/videos/${videoId}/comments?sort=top`)).total).toBe(0);
    const deletes = vi.spyOn(caches.default, "delete");
    const started = Date.now();
    for (const [i, author] of authors.entries()) {
      const mine = await post(author, videoId, `busy ${i}`);
      // Read past the cache while their comment is recent: always there for its author.
      const seen = await list(`/api/v1/videos/${videoId}/comments`, author);
      expect(seen.items.map((c) => c.id)).toContain(mine.id);
    }
    const elapsed = Date.now() - started;
    // Everyone else reads all six once the last purge ran (at most a second after the last post).
    const everyone = await waitFor(async () => {
      const page = await list(`/api/v1/videos/${videoId}/comments`);
      return page.total === 6 && page;
    }, "every comment in the cached first page");
    expect(everyone.items.map((c) => c.content)).toEqual([5, 4, 3, 2, 1, 0].map((i) => `busy ${i}`));
    const top = await waitFor(async () => {
      const page = await list(`/api/v1/videos/${videoId}/comments?sort=top`);
      return page.total === 6 && page;
    }, "every comment in the cached top page");
    expect(top.items).toHaveLength(6);
    // A purge (two deletes, one per sort) at most once a second, plus the first one: fewer
    // than one a comment (12 deletes) whenever the six posts took under five seconds.
    const purges = deletes.mock.calls.filter(([key]) => String(key).includes(videoId)).length / 2;
    expect(purges).toBeLessThanOrEqual(Math.ceil(elapsed / 1000) + 1);
    if (elapsed < 5000) expect(purges).toBeLessThan(6);
    deletes.mockRestore();
  });

  it("keeps a private video's comments to its owner", async () => {
    const owner = await registerUser();
    const { videoId } = await readyVideo(owner, "private");
    const mine = await post(owner, videoId, "note to self");
    const stranger = await registerUser();
    expect((await api(`/api/v1/videos/${videoId}/comments`)).status).toBe(404);
    expect((await api(`/api/v1/videos/${videoId}/comments`, { as: stranger })).status).toBe(404);
    expect((await api(`/api/v1/comments/${mine.id}/replies`, { as: stranger })).status).toBe(404);
    const res = await api(`/api/v1/videos/${videoId}/comments`, {
      method: "POST",
      as: stranger,
      json: { content: "hi" },
    });
    expect(res.status).toBe(404);
    expect((await list(`/api/v1/videos/${videoId}/comments`, owner)).total).toBe(1);
  });
});

describe("comments: deleting", () => {
  it("lets the author or the video's owner delete, nobody else", async () => {
    const owner = await registerUser();
    const { videoId } = await readyVideo(owner);
    const [author, stranger] = [await registerUser(), await registerUser()];
    const a = await post(author, videoId, "by the author");
    const b = await post(author, videoId, "moderated away");
    const denied = await api(`/api/v1/comments/${a.id}`, { method: "DELETE", as: stranger });
    expect(denied.status).toBe(403);
    expect(await denied.json()).toMatchObject({ code: "forbidden" });
    expect((await api(`/api/v1/comments/${a.id}`, { method: "DELETE" })).status).toBe(401);
    expect((await api(`/api/v1/comments/${a.id}`, { method: "DELETE", as: author })).status).toBe(204);
    expect((await api(`/api/v1/comments/${b.id}`, { method: "DELETE", as: owner })).status).toBe(204);
    const again = await api(`/api/v1/comments/${a.id}`, { method: "DELETE", as: author });
    expect(again.status).toBe(404);
    expect((await list(`/api/v1/videos/${videoId}/comments`)).total).toBe(0);
    expect(await storedCommentCount(videoId)).toBe(0);
  });

  it("keeps the thread's shape: a comment with replies becomes [deleted], one without goes, counts adjust", async () => {
    const owner = await registerUser();
    const { videoId } = await readyVideo(owner);
    const user = await registerUser();
    const root = await post(user, videoId, "root");
    const r1 = await post(owner, videoId, "reply one", root.id);
    const r2 = await post(owner, videoId, "reply two", root.id);
    expect(await storedCommentCount(videoId)).toBe(3);

    expect((await api(`/api/v1/comments/${root.id}`, { method: "DELETE", as: user })).status).toBe(204);
    const [stub] = (await list(`/api/v1/videos/${videoId}/comments`)).items;
    expect(stub).toMatchObject({ id: root.id, deleted: true, content: "[deleted]", user: null, reply_count: 2 });
    expect(stub!.replies.map((r: Comment) => r.id)).toEqual([r1.id, r2.id]);
    expect(await storedCommentCount(videoId)).toBe(2);
    // A deleted comment takes no new replies.
    const late = await api(`/api/v1/videos/${videoId}/comments`, {
      method: "POST",
      as: owner,
      json: { content: "late", parent_id: root.id },
    });
    expect(late.status).toBe(400);

    // A reply without replies goes entirely; the parent's count follows.
    expect((await api(`/api/v1/comments/${r1.id}`, { method: "DELETE", as: owner })).status).toBe(204);
    expect((await list(`/api/v1/comments/${root.id}/replies`)).items.map((r) => r.id)).toEqual([r2.id]);
    expect((await list(`/api/v1/videos/${videoId}/comments`)).items[0]!.reply_count).toBe(1);
    // The last reply of a deleted stub takes the stub with it.
    expect((await api(`/api/v1/comments/${r2.id}`, { method: "DELETE", as: owner })).status).toBe(204);
    expect((await list(`/api/v1/videos/${videoId}/comments`)).total).toBe(0);
    expect(await storedCommentCount(videoId)).toBe(0);
  });

  it("goes with its video", async () => {
    const owner = await registerUser();
    const { videoId } = await readyVideo(owner);
    const c = await post(owner, videoId, "soon gone");
    expect((await list(`/api/v1/videos/${videoId}/comments`)).total).toBe(1);
    // Stored in the comments database.
    const rows = async (db: D1Database) =>
      (await db.prepare("SELECT count(*) AS n FROM comments WHERE video_id = ?").bind(videoId).first())?.n;
    expect(await rows(env.COMMENTS)).toBe(1);
    expect((await api(`/api/v1/videos/${videoId}`, { method: "DELETE", as: owner })).status).toBe(204);
    expect((await api(`/api/v1/videos/${videoId}/comments`)).status).toBe(404);
    expect((await api(`/api/v1/comments/${c.id}/replies`)).status).toBe(404);
    expect(await rows(env.COMMENTS)).toBe(0);
  });
});

describe("comments: the live room", () => {
  it("delivers every comment to every watcher as comment_added, in the order stored, and deletions too", async () => {
    const owner = await registerUser();
    const { videoId } = await readyVideo(owner);
    const [a, b] = [await join(videoId), await join(videoId, owner)];
    await b.next("counters", (m) => m.viewers === 2);
    // Hibernation-safe: the object is evicted with both sockets attached and still reaches them.
    await evictDurableObject(room(videoId));

    const users = [await registerUser(), await registerUser(), await registerUser()];
    // Posted concurrently: the room still announces them in the order they were stored.
    const posted = await Promise.all(Array.from({ length: 9 }, (_, i) => post(users[i % 3]!, videoId, `comment ${i}`)));
    const stored = (await list(`/api/v1/videos/${videoId}/comments`)).items.map((c) => c.id).reverse();
    expect(stored).toHaveLength(9);
    for (const watcher of [a, b]) {
      for (const id of stored) {
        const event = await watcher.next("comment_added");
        expect(event).toMatchObject({ type: "comment_added", video_id: videoId, action: "add", comment: { id } });
      }
    }
    const sample = posted[4]!;
    expect(a.messages.find((m) => m.type === "comment_added" && m.comment.id === sample.id)!.comment).toEqual(sample);
    await a.next("counters", (m) => m.comments === 9);

    const reply = await post(await registerUser(), videoId, "a reply", sample.id);
    expect((await b.next("comment_added")).comment).toMatchObject({ id: reply.id, parent_id: sample.id });
    expect((await api(`/api/v1/comments/${reply.id}`, { method: "DELETE", as: owner })).status).toBe(204);
    for (const watcher of [a, b]) {
      expect(await watcher.next("comment_deleted")).toEqual({
        type: "comment_deleted",
        video_id: videoId,
        comment_id: reply.id,
        seq: expect.any(Number),
      });
    }
    await b.next("counters", (m) => m.comments === 9);
    expect(await storedCommentCount(videoId)).toBe(9);
    a.socket.close();
    b.socket.close();
  });
});
