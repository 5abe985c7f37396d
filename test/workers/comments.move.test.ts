import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { moveComments } from "../../workers/services/comments";
import { database } from "../../workers/storage/db";
import { roomOf } from "../../workers/wiring/rooms";
import { commentList, postComment } from "./comment-fixtures";
import { api, catalogueVideo, registerUser, waitFor } from "./fixtures";

// The comments move (issue 23, docs/capacity.md "The comments move"): a video made before
// migration 0026 has its comments in `DB` (`videos.comments_home` 0) until the cron moves them,
// through the video's room, to the `COMMENTS` database. Readers read both and take the video's
// home; the move must change nothing a user sees, and lose nothing written meanwhile.

const post = postComment;
const list = commentList;

const cron = () => moveComments({ db: database(env.DB), room: (videoId) => roomOf(env, videoId) });

async function count(db: D1Database, videoId: string) {
  const row = await db
    .prepare("SELECT count(*) AS n FROM comments WHERE video_id = ?")
    .bind(videoId)
    .first<{ n: number }>();
  return row?.n ?? 0;
}

async function home(videoId: string) {
  return (
    await env.DB.prepare("SELECT comments_home AS h FROM videos WHERE id = ?").bind(videoId).first<{ h: number }>()
  )?.h;
}

describe("the comments move", () => {
  it("moves a video's threads as they are: lists, replies, held comments, stubs, counts and authors read the same", async () => {
    const [owner, a, b, c] = [await registerUser(), await registerUser(), await registerUser(), await registerUser()];
    const videoId = await catalogueVideo(owner, { title: "Moving house" });
    expect(await home(videoId)).toBe(0);
    const first = await post(a, videoId, "first");
    const second = await post(b, videoId, "second");
    const reply = await post(b, videoId, "a reply", first.id);
    await post(a, videoId, "a reply to the reply", reply.id);
    await post(a, videoId, "another reply", first.id);
    const doomed = await post(b, videoId, "soon a stub");
    await post(c, videoId, "keeps the stub", doomed.id);
    expect((await api(`/api/v1/comments/${doomed.id}`, { method: "DELETE", as: b })).status).toBe(204);
    expect(
      (
        await api(`/api/v1/channels/${owner.channel_id}/moderation`, {
          method: "PUT",
          as: owner,
          json: { held_words: [], hold_links: true },
        })
      ).status,
    ).toBe(200);
    const held = await post(c, videoId, "see https://example.com/x");
    expect(held.status).toBe("held");

    const seen = () =>
      Promise.all([
        list(`/api/v1/videos/${videoId}/comments?limit=10`),
        list(`/api/v1/videos/${videoId}/comments?sort=top&limit=10`),
        list(`/api/v1/videos/${videoId}/comments?limit=10`, c),
        list(`/api/v1/comments/${first.id}/replies`),
        list(`/api/v1/comments/${reply.id}/replies`),
        list(`/api/v1/channels/${owner.channel_id}/held-comments`, owner),
      ]);
    const before = await seen();
    expect(before[0].total).toBe(3);
    expect(before[0].items.map((c) => c.content)).toEqual(["[deleted]", "second", "first"]);
    expect(before[2].items.map((c) => c.content)).toContain("see https://example.com/x");
    expect(before[5].items.map((c) => c.id)).toEqual([held.id]);
    const stored = await count(env.DB, videoId);
    expect(stored).toBe(8);

    const ran = await cron();
    expect(ran.videos).toBeGreaterThanOrEqual(1);
    expect(ran.comments).toBeGreaterThanOrEqual(stored);
    expect(await home(videoId)).toBe(1);
    expect([await count(env.DB, videoId), await count(env.COMMENTS, videoId)]).toEqual([0, stored]);
    // Each comment keeps its channel and author's name there, where no `users` is to join.
    const there = await env.COMMENTS.prepare("SELECT channel_id, username, author_suspended FROM comments WHERE id = ?")
      .bind(second.id)
      .first();
    expect(there).toEqual({ channel_id: owner.channel_id, username: b.username, author_suspended: 0 });
    expect(await seen()).toEqual(before);

    // From now on the video's comments are written there: a new reply is counted in its parent,
    // the held comment is approved in place, a delete leaves the same stub as before.
    await post(owner, videoId, "after the move", first.id);
    const replies = await list(`/api/v1/comments/${first.id}/replies`);
    expect(replies.items.map((c) => c.content)).toEqual(["a reply", "another reply", "after the move"]);
    expect((await list(`/api/v1/videos/${videoId}/comments?limit=10`)).items.at(-1)).toMatchObject({
      content: "first",
      reply_count: 3,
    });
    expect((await api(`/api/v1/comments/${held.id}/approve`, { method: "POST", as: owner })).status).toBe(200);
    expect((await list(`/api/v1/videos/${videoId}/comments?limit=10`)).total).toBe(4);
    expect(await count(env.DB, videoId)).toBe(0);
    expect(await count(env.COMMENTS, videoId)).toBe(stored + 1);

    // A second run has nothing left of this video to move.
    expect(await roomOf(env, videoId).moveComments()).toBe(0);
  });

  it("keeps every comment posted while the video's comments move", async () => {
    const owner = await registerUser();
    const videoId = await catalogueVideo(owner, { title: "Busy move" });
    for (let i = 0; i < 5; i++) await post(await registerUser(), videoId, `before ${i}`);
    const writers = [await registerUser(), await registerUser(), await registerUser(), await registerUser()];
    const [moved, ...posted] = await Promise.all([
      roomOf(env, videoId).moveComments(),
      ...writers.map((w, i) => post(w, videoId, `during ${i}`)),
    ]);
    expect(moved).toBeGreaterThanOrEqual(5);
    expect(posted).toHaveLength(4);
    expect(await home(videoId)).toBe(1);
    expect(await count(env.DB, videoId)).toBe(0);
    expect(await count(env.COMMENTS, videoId)).toBe(9);
    const all = await list(`/api/v1/videos/${videoId}/comments?limit=20`);
    expect(all.total).toBe(9);
    expect(all.items.map((c) => c.content).sort()).toEqual([
      "before 0",
      "before 1",
      "before 2",
      "before 3",
      "before 4",
      "during 0",
      "during 1",
      "during 2",
      "during 3",
    ]);
  });

  it("does a move cut short again from the start, marks videos without comments at once, and refuses DB writes after", async () => {
    const [owner, a] = [await registerUser(), await registerUser()];
    const videoId = await catalogueVideo(owner, { title: "Cut short" });
    const one = await post(a, videoId, "one");
    await post(a, videoId, "two", one.id);
    // What a move that failed after copying some rows leaves: a copy that is not the video's.
    await env.COMMENTS.prepare(
      `INSERT INTO comments (id, video_id, channel_id, user_id, username, content, created_at)
       VALUES ('stale-copy', ?, ?, ?, 'x', 'a copy of a comment deleted since', 0)`,
    )
      .bind(videoId, owner.channel_id, a.id)
      .run();
    expect((await list(`/api/v1/videos/${videoId}/comments`)).total).toBe(1);
    expect(await roomOf(env, videoId).moveComments()).toBe(2);
    expect(
      (await env.COMMENTS.prepare("SELECT id FROM comments WHERE video_id = ? ORDER BY created_at").bind(videoId).all())
        .results,
    ).toHaveLength(2);
    expect((await list(`/api/v1/videos/${videoId}/comments`)).items[0]).toMatchObject({
      content: "one",
      reply_count: 1,
    });

    // A video without a comment is only marked: one statement, no room.
    const quiet = await catalogueVideo(owner, { title: "Nothing said" });
    expect(await home(quiet)).toBe(0);
    const ran = await cron();
    expect(ran.marked).toBeGreaterThanOrEqual(1);
    expect(await home(quiet)).toBe(1);
    // A writer that still thinks the comments are in `DB` is refused there (migration 0026's guard)...
    await expect(
      env.DB.prepare(
        "INSERT INTO comments (id, video_id, user_id, content, created_at) VALUES ('late', ?, ?, 'late', 0)",
      )
        .bind(quiet, a.id)
        .run(),
    ).rejects.toThrow(/comments_moved/);
    // ...and the platform writes where the video says.
    await post(a, quiet, "first words");
    expect([await count(env.DB, quiet), await count(env.COMMENTS, quiet)]).toEqual([0, 1]);
  });

  it("reaches moved comments with suspensions, reports and a video's deletion", async () => {
    const [owner, author, reporter] = [await registerUser(), await registerUser(), await registerUser()];
    const mod = await registerUser();
    await env.DB.prepare("UPDATE users SET role = 'moderator' WHERE id = ?").bind(mod.id).run();
    const videoId = await catalogueVideo(owner, { title: "Reach" });
    const bad = await post(author, videoId, "a rude remark");
    await post(reporter, videoId, "a kind remark");
    await cron();
    expect(await home(videoId)).toBe(1);

    // A suspension hides the author's comments there too, and its lift brings them back.
    const suspend = await api(`/api/v1/moderation/users/${author.id}/suspension`, {
      method: "POST",
      as: mod,
      json: { reason: "Spam" },
    });
    expect(suspend.status).toBe(200);
    await waitFor(
      async () => (await list(`/api/v1/videos/${videoId}/comments`)).total === 1,
      "the author's comment to go",
    );
    expect((await api(`/api/v1/moderation/users/${author.id}/suspension`, { method: "DELETE", as: mod })).status).toBe(
      204,
    );
    await waitFor(async () => (await list(`/api/v1/videos/${videoId}/comments`)).total === 2, "the comment to return");

    // A report names the comment by id; the moderator's removal leaves a stub in `COMMENTS`.
    const filed = await api("/api/v1/reports", {
      method: "POST",
      as: reporter,
      json: { target: { type: "comment", id: bad.id }, reason: "hateful_or_abusive" },
    });
    expect(filed.status).toBe(201);
    const queue = (await (await api("/api/v1/moderation/reports?limit=100", { as: mod })).json()) as {
      items: { id: string; target: Record<string, unknown> }[];
    };
    const item = queue.items.find((r) => r.target.id === bad.id);
    expect(item?.target).toMatchObject({ type: "comment", content: "a rude remark" });
    const acted = await api(`/api/v1/moderation/reports/${item?.id}`, {
      method: "POST",
      as: mod,
      json: { action: "remove_comment" },
    });
    expect(acted.status, await acted.clone().text()).toBe(200);
    expect(
      await env.COMMENTS.prepare("SELECT deleted, content FROM comments WHERE id = ?").bind(bad.id).first(),
    ).toEqual({ deleted: 1, content: "" });
    await waitFor(
      async () => (await list(`/api/v1/videos/${videoId}/comments`)).items.some((c) => c.content === "[deleted]"),
      "the stub in the list",
    );

    // The video's deletion takes its comments from `COMMENTS` (no cascade crosses databases).
    expect((await api(`/api/v1/videos/${videoId}`, { method: "DELETE", as: owner })).status).toBe(204);
    expect(await count(env.COMMENTS, videoId)).toBe(0);
  });
});
