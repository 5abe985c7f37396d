import path from "node:path";
import { describe, expect, it } from "vitest";
import { makeClip } from "./clients";
import { runningStack } from "./stack";

const e2e = runningStack("comments");

describe("comments and the live room on the running stack", () => {
  it("shows the uploader processing live, then two watchers see each other's comments and replies in order", async () => {
    const owner = await e2e.api.register();
    const file = path.join(e2e.work, "clip.mp4");
    makeClip(file, 8);
    // The uploader's page joins the room before the upload completes and follows it live.
    const videoId = await e2e.api.upload(owner, file, { title: "Comments e2e" });
    const page = await e2e.api.join(videoId, owner);
    const ready = await page.next("status", (m) => m.status === "ready", 120_000);
    expect(ready).toMatchObject({ video_id: videoId, progress: 100, playable: true });
    const progress = page.messages.filter((m) => m.type === "status").map((m) => m.progress as number);
    expect(progress.length).toBeGreaterThan(1);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
    page.socket.close();

    const [alice, bob] = [await e2e.api.register(), await e2e.api.register()];
    const a = await e2e.api.join(videoId, alice);
    const b = await e2e.api.join(videoId);
    await b.next("counters", (m) => m.viewers === 2);

    // Posted at once by four people (two each: inside the live limit of three in a burst): each
    // watcher receives all of them, in the order they were stored.
    const [carol, dave] = [await e2e.api.register(), await e2e.api.register()];
    const authors = [alice, bob, carol, dave];
    const posted = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        e2e.api.call<{ id: string }>(authors[i % 4], `/api/v1/videos/${videoId}/comments`, {
          method: "POST",
          body: JSON.stringify({ content: `comment ${i} from ${authors[i % 4]?.username}` }),
        }),
      ),
    );
    const listed = await e2e.api.call<{ items: { id: string }[]; total: number }>(
      undefined,
      `/api/v1/videos/${videoId}/comments`,
    );
    expect(listed.total).toBe(8);
    const storedOrder = listed.items.map((c) => c.id).reverse();
    expect(new Set(storedOrder)).toEqual(new Set(posted.map((c) => c.id)));
    for (const watcher of [a, b]) {
      const received = [];
      for (let i = 0; i < 8; i++) received.push((await watcher.next("comment_added")).comment.id);
      expect(received).toEqual(storedOrder);
    }

    const reply = await e2e.api.call<{ id: string }>(bob, `/api/v1/videos/${videoId}/comments`, {
      method: "POST",
      body: JSON.stringify({ content: "a reply to alice", parent_id: posted[0]!.id }),
    });
    for (const watcher of [a, b]) {
      expect(await watcher.next("comment_added")).toMatchObject({
        type: "comment_added",
        video_id: videoId,
        action: "add",
        comment: {
          id: reply.id,
          parent_id: posted[0]!.id,
          user: { id: bob.id, username: bob.username },
          content: "a reply to alice",
        },
      });
    }
    await e2e.api.call(alice, `/api/v1/comments/${posted[0]!.id}`, { method: "DELETE" });
    for (const watcher of [a, b])
      expect(await watcher.next("comment_deleted")).toMatchObject({ comment_id: posted[0]!.id });
    await a.next("counters", (m) => m.comments === 8);

    // The count reaches the video's page data once the room flushes it.
    let count = -1;
    for (let i = 0; i < 40 && count !== 8; i++) {
      await new Promise((r) => setTimeout(r, 500));
      count = (await e2e.api.call<{ comment_count: number }>(undefined, `/api/v1/videos/${videoId}`)).comment_count;
    }
    expect(count).toBe(8);
    a.socket.close();
    b.socket.close();
  });
});
