import { runDurableObjectAlarm } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { type Comment, type CommentList, commentList, postComment } from "./comment-fixtures";
import { api, catalogueVideo, expectProblem, registerUser, type TestUser, waitFor } from "./fixtures";
import { join, type Watcher } from "./room-client";

// The comments side of trust and safety (API.md "Trust and safety"): blocks between users,
// a channel's held words and links, held comments and their approval, suspended authors.

const post = postComment;
const list = commentList;
type List = CommentList;

const comments = (videoId: string, as?: TestUser) => list(`/api/v1/videos/${videoId}/comments`, as);
const contents = (l: List) => l.items.map((c) => c.content);
const blockAs = (as: TestUser, userId: string, method = "PUT") =>
  api(`/api/v1/users/me/blocks/${userId}`, { method, as });
const setRules = (as: TestUser, channelId: string, json: unknown) =>
  api(`/api/v1/channels/${channelId}/moderation`, { method: "PUT", as, json });
const approve = (as: TestUser, commentId: string) =>
  api(`/api/v1/comments/${commentId}/approve`, { method: "POST", as });

async function storedCommentCount(videoId: string) {
  // The room flushes counts from its alarm; run it now rather than wait for it.
  await runDurableObjectAlarm(env.VIDEO_ROOM.get(env.VIDEO_ROOM.idFromName(videoId)));
  const row = await env.DB.prepare("SELECT comment_count FROM videos WHERE id = ?")
    .bind(videoId)
    .first<{ comment_count: number }>();
  return row!.comment_count;
}

/** Every comment the watcher received, by content. */
const received = (w: Watcher) => w.messages.filter((m) => m.type === "comment_added").map((m) => m.comment.content);
describe("user blocks", () => {
  it("block and unblock idempotently, are listed newest first, and refuse oneself (400) and unknown users (404)", async () => {
    const [me, a, b] = [await registerUser(), await registerUser(), await registerUser()];
    for (const target of [a, a, b]) expect((await blockAs(me, target.id)).status).toBe(204);
    const listed = await list("/api/v1/users/me/blocks", me);
    expect(listed).toMatchObject({ page: 1, limit: 20, total: 2 });
    expect(listed.items).toEqual([
      { id: b.id, username: b.username, blocked_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) },
      { id: a.id, username: a.username, blocked_at: expect.any(String) },
    ]);
    // Nobody else sees them.
    expect((await list("/api/v1/users/me/blocks", a)).items).toEqual([]);

    for (let i = 0; i < 2; i++) expect((await blockAs(me, a.id, "DELETE")).status).toBe(204);
    expect((await list("/api/v1/users/me/blocks", me)).items.map((u) => u.id)).toEqual([b.id]);

    const self = await expectProblem(await blockAs(me, me.id), 400, "validation_failed");
    expect(self.invalid_params).toEqual([{ name: "user_id", reason: "you cannot block yourself" }]);
    await expectProblem(await blockAs(me, "nosuchuser"), 404, "not_found");
    await expectProblem(await blockAs(me, "nosuchuser", "DELETE"), 404, "not_found");
    await expectProblem(await api(`/api/v1/users/me/blocks/${a.id}`, { method: "PUT" }), 401, "unauthorized");
    await expectProblem(await api("/api/v1/users/me/blocks"), 401, "unauthorized");
  });

  it("hide the blocked user's comments and replies from the blocker only, from the shared first page too", async () => {
    const [owner, blocker, blocked, other] = [
      await registerUser(),
      await registerUser(),
      await registerUser(),
      await registerUser(),
    ];
    const videoId = await catalogueVideo(owner, { title: "Blocks in lists" });
    const byOther = await post(other, videoId, "a comment by other");
    const byBlocked = await post(blocked, videoId, "a comment by blocked");
    await post(blocked, videoId, "a reply by blocked", byOther.id);
    await post(other, videoId, "a reply under blocked's comment", byBlocked.id);
    await post(other, videoId, "a reply by other", byOther.id);
    // The first page is cached now, as everyone reads it.
    const everyone = await comments(videoId);
    expect(contents(everyone)).toEqual(["a comment by blocked", "a comment by other"]);

    expect((await blockAs(blocker, blocked.id)).status).toBe(204);
    for (const path of [`/api/v1/videos/${videoId}/comments`, `/api/v1/videos/${videoId}/comments?sort=top&limit=5`]) {
      const seen = await list(path, blocker);
      expect(contents(seen)).toEqual(["a comment by other"]);
      expect(seen.items[0]!.replies.map((r: Comment) => r.content)).toEqual(["a reply by other"]);
    }
    const replies = await list(`/api/v1/comments/${byOther.id}/replies`, blocker);
    expect(contents(replies)).toEqual(["a reply by other"]);
    // Everyone else still reads them all, from the same cached page.
    for (const viewer of [undefined, other, blocked]) {
      const seen = await comments(videoId, viewer);
      expect(contents(seen)).toEqual(["a comment by blocked", "a comment by other"]);
      expect(seen.items[1]!.replies.map((r: Comment) => r.content)).toEqual(["a reply by blocked", "a reply by other"]);
      expect(contents(await list(`/api/v1/comments/${byOther.id}/replies`, viewer))).toHaveLength(2);
    }

    expect((await blockAs(blocker, blocked.id, "DELETE")).status).toBe(204);
    expect(contents(await comments(videoId, blocker))).toEqual(["a comment by blocked", "a comment by other"]);
  });

  it("filter the live room per socket: only the blocker's socket misses the comment, from the moment of the block", async () => {
    // The blocked user is the video's owner: exempt from the live limits, so their four
    // comments in a few seconds are not turned away by the room's per-user bucket.
    const [owner, blocker, other] = [await registerUser(), await registerUser(), await registerUser()];
    const blocked = owner;
    const videoId = await catalogueVideo(owner, { title: "Blocks in the room" });
    const mine = await join(videoId, blocker);
    const theirs = await join(videoId, other);
    await Promise.all([mine.next("counters"), theirs.next("counters")]);

    await post(blocked, videoId, "before the block");
    for (const w of [mine, theirs]) await w.next("comment_added", (m) => m.comment.content === "before the block");

    // Blocked while the socket is open: the next comment skips it.
    expect((await blockAs(blocker, blocked.id)).status).toBe(204);
    await post(blocked, videoId, "after the block");
    await post(other, videoId, "a marker after it");
    await theirs.next("comment_added", (m) => m.comment.content === "after the block");
    await theirs.next("comment_added", (m) => m.comment.content === "a marker after it");
    // Comments arrive in order: once the marker is here, the blocked one would have been too.
    await mine.next("comment_added", (m) => m.comment.content === "a marker after it");
    expect(received(mine)).toEqual(["before the block", "a marker after it"]);

    // A socket opened after the block is filtered from the start; anonymous watchers are not.
    const later = await join(videoId, blocker);
    const anonymous = await join(videoId);
    await Promise.all([later.next("counters"), anonymous.next("counters")]);
    await post(blocked, videoId, "to the new sockets");
    await post(other, videoId, "second marker");
    await anonymous.next("comment_added", (m) => m.comment.content === "to the new sockets");
    await later.next("comment_added", (m) => m.comment.content === "second marker");
    expect(received(later)).toEqual(["second marker"]);

    // Unblocked while open: the blocked user's comments come back to every socket of the blocker.
    expect((await blockAs(blocker, blocked.id, "DELETE")).status).toBe(204);
    await post(blocked, videoId, "after the unblock");
    for (const w of [mine, later]) await w.next("comment_added", (m) => m.comment.content === "after the unblock");
  });

  it("refuse the blocked user's comments on the blocker's videos (403 blocked), and only there", async () => {
    const [owner, blocked, elsewhere] = [await registerUser(), await registerUser(), await registerUser()];
    const videoId = await catalogueVideo(owner, { title: "The blocker's video" });
    const otherVideo = await catalogueVideo(elsewhere, { title: "Someone else's video" });
    const parent = await post(owner, videoId, "the owner's comment");
    expect((await blockAs(owner, blocked.id)).status).toBe(204);

    const write = (json: unknown) => api(`/api/v1/videos/${videoId}/comments`, { method: "POST", as: blocked, json });
    const refused = await expectProblem(await write({ content: "let me in" }), 403, "blocked");
    expect(refused.detail).toMatch(/blocked you/);
    await expectProblem(await write({ content: "a reply", parent_id: parent.id }), 403, "blocked");
    expect((await comments(videoId)).total).toBe(1);
    // The owner's block covers the owner's videos, not everyone's; and the owner may still comment.
    await post(blocked, otherVideo, "fine over here");
    await post(owner, videoId, "the owner still comments");

    expect((await blockAs(owner, blocked.id, "DELETE")).status).toBe(204);
    await post(blocked, videoId, "let me in now");
  });
});

describe("held comments", () => {
  it("are held for the channel's words, case and the usual evasions folded, never for innocent words that contain them", async () => {
    const owner = await registerUser();
    const videoId = await catalogueVideo(owner, { title: "Held words" });
    const saved = await setRules(owner, owner.channel_id, {
      held_words: ["Badword", "scam", "kill", "  spoiler  alert "],
      hold_links: false,
    });
    expect(saved.status).toBe(200);
    const rules = { channel_id: owner.channel_id, held_words: ["badword", "scam", "kill", "spoiler alert"] };
    expect(await saved.json()).toEqual({ ...rules, hold_links: false, updated_at: expect.any(String) });
    expect(await (await api(`/api/v1/channels/${owner.channel_id}/moderation`, { as: owner })).json()).toMatchObject(
      rules,
    );

    // One commenter each: a viewer's burst on a live room is three comments.
    const held = [
      "this is a badword",
      "BADWORD!",
      "b.a.d.w.o.r.d",
      "B A D W O R D indeed",
      "b4dw0rd, in leetspeak",
      "baaaaadword with repeats",
      "that's a sc@m",
      "I will K1LL this level",
      "KILLLLL!",
      "SPOILER   ALERT: he was a ghost",
    ];
    for (const content of held) {
      expect((await post(await registerUser(), videoId, content)).status, content).toBe("held");
    }
    const innocent = ["what a skillful shot", "scampi for dinner", "the bad words list", "killjoy, unspoiled"];
    for (const content of innocent) {
      expect((await post(await registerUser(), videoId, content)).status, content).toBe("published");
    }
  });

  it("are held for links when the channel holds links, and not otherwise", async () => {
    const owner = await registerUser();
    const videoId = await catalogueVideo(owner, { title: "Links" });
    const fan = await registerUser();
    expect((await post(fan, videoId, "see https://example.com/a")).status).toBe("published");
    expect((await setRules(owner, owner.channel_id, { held_words: [], hold_links: true })).status).toBe(200);
    expect((await post(fan, videoId, "see https://example.com/b")).status).toBe("held");
    expect((await post(fan, videoId, "or www.example.org")).status).toBe("held");
    expect((await post(await registerUser(), videoId, "no link here")).status).toBe("published");
    // The owner's own comments are never held.
    expect((await post(owner, videoId, "my link https://example.com/c")).status).toBe("published");
  });

  it("are seen by their author (marked) and in the owner's held list only, reach no room, and count once approved", async () => {
    const [owner, author, third] = [await registerUser(), await registerUser(), await registerUser()];
    const videoId = await catalogueVideo(owner, { title: "Approve me" });
    expect((await setRules(owner, owner.channel_id, { held_words: ["forbidden"], hold_links: false })).status).toBe(
      200,
    );
    const parent = await post(third, videoId, "a published comment");
    const watcher = await join(videoId, third);
    const ownerSocket = await join(videoId, owner);
    await Promise.all([watcher.next("counters"), ownerSocket.next("counters")]);
    // Cached for everyone before the held comments arrive.
    expect((await comments(videoId)).total).toBe(1);

    const top = await post(author, videoId, "a forbidden thought");
    expect(top).toMatchObject({ status: "held", user: { id: author.id }, reply_count: 0 });
    const reply = await post(author, videoId, "a forbidden reply", parent.id);
    expect(reply.status).toBe("held");
    await post(author, videoId, "an allowed comment");
    await watcher.next("comment_added", (m) => m.comment.content === "an allowed comment");
    expect(received(watcher)).toEqual(["an allowed comment"]);
    expect(received(ownerSocket)).toEqual(["an allowed comment"]);

    // Nobody else sees them: not in lists, not in counts, not by id.
    for (const viewer of [undefined, third, owner]) {
      const seen = await comments(videoId, viewer);
      expect(contents(seen)).toEqual(["an allowed comment", "a published comment"]);
      expect(seen.total).toBe(2);
      expect(seen.items[1]).toMatchObject({ reply_count: 0, replies: [] });
      expect((await list(`/api/v1/comments/${parent.id}/replies`, viewer)).items).toEqual([]);
    }
    for (const viewer of [undefined, third]) {
      await expectProblem(await api(`/api/v1/comments/${top.id}/replies`, { as: viewer }), 404, "not_found");
    }
    expect(await storedCommentCount(videoId)).toBe(2);
    // Their author sees them, marked held, in their place.
    const mine = await comments(videoId, author);
    expect(mine.items.map((c) => [c.content, c.status])).toEqual([
      ["an allowed comment", "published"],
      ["a forbidden thought", "held"],
      ["a published comment", "published"],
    ]);
    expect(mine.items[2]!.replies).toEqual([expect.objectContaining({ id: reply.id, status: "held" })]);
    expect((await list(`/api/v1/comments/${parent.id}/replies`, author)).items.map((c) => c.id)).toEqual([reply.id]);
    // Nobody replies to a held comment.
    const refused = await expectProblem(
      await api(`/api/v1/videos/${videoId}/comments`, {
        method: "POST",
        as: author,
        json: { content: "replying to myself", parent_id: top.id },
      }),
      400,
      "validation_failed",
    );
    expect(refused.invalid_params).toEqual([{ name: "parent_id", reason: "that comment is held for review" }]);

    // The owner's list of held comments, newest first, with the video.
    const heldList = await list(`/api/v1/channels/${owner.channel_id}/held-comments`, owner);
    expect(heldList.total).toBe(2);
    expect(heldList.items.map((c) => c.id)).toEqual([reply.id, top.id]);
    expect(heldList.items[1]).toMatchObject({
      ...top,
      status: "held",
      video: { id: videoId, title: "Approve me" },
    });
    await expectProblem(
      await api(`/api/v1/channels/${owner.channel_id}/held-comments`, { as: third }),
      403,
      "forbidden",
    );

    // Only the video's owner approves.
    for (const who of [author, third]) await expectProblem(await approve(who, top.id), 403, "forbidden");
    const approved = await approve(owner, reply.id);
    expect(approved.status).toBe(200);
    expect(await approved.json()).toEqual({ ...reply, status: "published" });
    for (const w of [watcher, ownerSocket]) {
      expect(await w.next("comment_added", (m) => m.comment.id === reply.id)).toMatchObject({
        video_id: videoId,
        action: "add",
        comment: { content: "a forbidden reply", status: "published", parent_id: parent.id },
      });
    }
    const after = await comments(videoId, third);
    expect(after.items[1]).toMatchObject({ id: parent.id, reply_count: 1, replies: [{ id: reply.id }] });
    expect(await storedCommentCount(videoId)).toBe(3);
    // Approving again changes nothing.
    const again = await approve(owner, reply.id);
    expect(again.status).toBe(200);
    expect(((await again.json()) as Comment).status).toBe("published");
    expect(await storedCommentCount(videoId)).toBe(3);
    expect((await list(`/api/v1/channels/${owner.channel_id}/held-comments`, owner)).items.map((c) => c.id)).toEqual([
      top.id,
    ]);
  });

  it("are deleted by their author or the owner, taking nothing off the counts; nobody else may", async () => {
    const [owner, author, third] = [await registerUser(), await registerUser(), await registerUser()];
    const videoId = await catalogueVideo(owner, { title: "Delete held" });
    await setRules(owner, owner.channel_id, { held_words: [], hold_links: true });
    const parent = await post(third, videoId, "published");
    const watcher = await join(videoId, third);
    await watcher.next("counters");
    const first = await post(author, videoId, "held https://example.com/1", parent.id);
    const second = await post(author, videoId, "held https://example.com/2");
    expect([first.status, second.status]).toEqual(["held", "held"]);

    await expectProblem(await api(`/api/v1/comments/${first.id}`, { method: "DELETE", as: third }), 404, "not_found");
    expect((await api(`/api/v1/comments/${first.id}`, { method: "DELETE", as: author })).status).toBe(204);
    expect((await api(`/api/v1/comments/${second.id}`, { method: "DELETE", as: owner })).status).toBe(204);
    await expectProblem(await approve(owner, second.id), 404, "not_found");
    expect((await list(`/api/v1/channels/${owner.channel_id}/held-comments`, owner)).total).toBe(0);
    expect((await comments(videoId, author)).items).toEqual([
      expect.objectContaining({ id: parent.id, reply_count: 0, replies: [] }),
    ]);
    expect(await storedCommentCount(videoId)).toBe(1);
    // The published parent, deleted now, goes entirely (its held reply never counted).
    expect((await api(`/api/v1/comments/${parent.id}`, { method: "DELETE", as: third })).status).toBe(204);
    expect(await watcher.next("comment_deleted")).toMatchObject({ comment_id: parent.id });
    expect(watcher.messages.filter((m) => m.type === "comment_deleted")).toHaveLength(1);
    expect(await storedCommentCount(videoId)).toBe(0);
  });

  it("keep their rules and lists to the channel's owner (403), and say 404 for no channel", async () => {
    const [owner, stranger] = [await registerUser(), await registerUser()];
    const path = `/api/v1/channels/${owner.channel_id}`;
    await expectProblem(await api(`${path}/moderation`, { as: stranger }), 403, "forbidden");
    await expectProblem(
      await setRules(stranger, owner.channel_id, { held_words: ["x"], hold_links: true }),
      403,
      "forbidden",
    );
    await expectProblem(await api(`${path}/held-comments`, { as: stranger }), 403, "forbidden");
    await expectProblem(await api(`${path}/moderation`), 401, "unauthorized");
    await expectProblem(await api("/api/v1/channels/nosuchchannel/moderation", { as: owner }), 404, "not_found");
    await expectProblem(await api("/api/v1/channels/nosuchchannel/held-comments", { as: owner }), 404, "not_found");
    // Until saved, the defaults: nothing held.
    expect(await (await api(`${path}/moderation`, { as: owner })).json()).toEqual({
      channel_id: owner.channel_id,
      held_words: [],
      hold_links: false,
      updated_at: null,
    });
    await expectProblem(await approve(owner, "nosuchcomment"), 404, "not_found");
  });
});

describe("suspended authors", () => {
  it("have their comments hidden from everyone else, in lists, totals and reply counts, until the suspension ends", async () => {
    const [owner, author, reader, mod] = [
      await registerUser(),
      await registerUser(),
      await registerUser(),
      await registerUser(),
    ];
    await env.DB.prepare("UPDATE users SET role = 'moderator' WHERE id = ?").bind(mod.id).run();
    const videoId = await catalogueVideo(owner, { title: "Suspended author" });
    const parent = await post(reader, videoId, "a reader's comment");
    await post(author, videoId, "the author's comment");
    await post(author, videoId, "the author's reply", parent.id);
    await post(reader, videoId, "the reader's reply", parent.id);
    expect((await comments(videoId)).total).toBe(2);

    const suspend = await api(`/api/v1/moderation/users/${author.id}/suspension`, {
      method: "POST",
      as: mod,
      json: { reason: "Spam" },
    });
    expect(suspend.status).toBe(200);
    // The first page's cache is purged in the background.
    const hidden = await waitFor(async () => {
      const seen = await comments(videoId, reader);
      return seen.total === 1 && seen;
    }, "the author's comments to go");
    expect(contents(hidden)).toEqual(["a reader's comment"]);
    expect(hidden.items[0]).toMatchObject({ reply_count: 1, replies: [{ content: "the reader's reply" }] });
    expect(contents(await list(`/api/v1/comments/${parent.id}/replies`))).toEqual(["the reader's reply"]);
    expect((await comments(videoId)).total).toBe(1);

    expect((await api(`/api/v1/moderation/users/${author.id}/suspension`, { method: "DELETE", as: mod })).status).toBe(
      204,
    );
    const back = await waitFor(async () => {
      const seen = await comments(videoId);
      return seen.total === 2 && seen;
    }, "the author's comments to come back");
    expect(contents(back)).toEqual(["the author's comment", "a reader's comment"]);
    expect(back.items[1]).toMatchObject({ reply_count: 2 });
  });
});
