// A video's comments are in `DB` or, since migration 0026, in the `COMMENTS` database
// (docs/capacity.md, "The comments move"), and workers/storage/comments.ts reads both with the
// same statements, through the view `comments_full` each database has. Here those very
// statements (drizzle's, sent through a D1 binding over Node's SQLite, the SQLite of the local
// D1) run on a `DB` migrated as the project migrates it and a `COMMENTS` migrated as its own:
// the same video's comments answer the same before and after `moveVideoComments` takes them
// from one to the other, and SQLite plans every statement through an index in both, never a
// scan of the comments.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { DatabaseSync } from "node:sqlite";
import { describe, expect, it } from "vitest";
import * as store from "../../workers/storage/comments";
import { database } from "../../workers/storage/db";
import { d1OverSqlite } from "./d1-over-sqlite";
import { insertRow, migrated, migrationsDir } from "./migration-db";

function commentsDatabase() {
  const db = new DatabaseSync(":memory:");
  const dir = path.join(migrationsDir, "comments");
  for (const f of readdirSync(dir).filter((f) => f.endsWith(".sql"))) db.exec(readFileSync(path.join(dir, f), "utf8"));
  return db;
}

const VIDEOS = 30;
const AUTHORS = 40;
const id = (prefix: string, n: number) => `${prefix}${String(n).padStart(4, "0")}`;

/** Authors (every tenth suspended), one channel, videos with threads: top-level comments, replies, held ones, stubs. */
function fill(db: DatabaseSync) {
  for (let u = 0; u < AUTHORS; u++) {
    insertRow(db, "users", { id: id("u", u), username: `user${u}` });
    if (u % 10 === 9) db.prepare("UPDATE users SET suspended_until = ? WHERE id = ?").run(8.64e15, id("u", u));
  }
  insertRow(db, "channels", { id: "c1", owner_id: id("u", 0), name: "Channel" });
  const comment = db.prepare(
    `INSERT INTO comments (id, video_id, parent_id, user_id, content, status, deleted, reply_count, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  let at = 1_765_000_000_000;
  for (let v = 0; v < VIDEOS; v++) {
    const video = id("v", v);
    insertRow(db, "videos", {
      id: video,
      channel_id: "c1",
      owner_id: id("u", 0),
      title: video,
      status: "ready",
      tags: "[]",
    });
    for (let c = 0; c < 60; c++) {
      const top = id(`t${v}-`, c);
      const replies = c % 3 === 0 ? 4 : 0;
      const held = c % 17 === 5 ? "held" : "published";
      const stub = c % 13 === 0 && replies > 0 ? 1 : 0;
      comment.run(top, video, null, id("u", c % AUTHORS), stub ? "" : `comment ${c}`, held, stub, replies, at++);
      for (let r = 0; r < replies; r++) {
        comment.run(
          id(`r${v}-${c}-`, r),
          video,
          top,
          id("u", (c + r + 3) % AUTHORS),
          `reply ${r}`,
          "published",
          0,
          0,
          at++,
        );
      }
    }
  }
}

/** What each of storage/comments.ts's reads answers for a video, as the services call them. */
async function answers(db: ReturnType<typeof database>, videoId: string) {
  const slice = (order: "newest" | "top" | "thread") => ({ order, limit: 20, offset: 0 });
  const v = Number(videoId.slice(1));
  const parent = `t${v}-0003`;
  return {
    newest: await store.topLevelPage(db, videoId, slice("newest")),
    top: await store.topLevelPage(db, videoId, slice("top")),
    asAuthor: await store.topLevelPage(db, videoId, slice("newest"), id("u", 5)),
    replies: await store.repliesPage(db, videoId, parent, slice("thread")),
    one: await store.findComment(db, parent),
    byIds: await store.commentsByIds(db, [parent, `t${v}-0004`]),
    pastCache: await store.readsPastCache(db, videoId, id("u", 5), new Date(0)),
  };
}

/** How SQLite plans a statement sent (its parameters made up): the detail of each step, joined. */
const planOf = (on: DatabaseSync, sql: string) =>
  (on.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...(sql.match(/\?/g) ?? []).map(() => "x")) as { detail: string }[])
    .map((r) => r.detail)
    .join(" | ");

/** Every statement sent, planned by SQLite in `on`: the steps that read `comments` without an index. */
function scans(on: DatabaseSync, sent: string[]) {
  const found: string[] = [];
  for (const sql of new Set(sent.filter((s) => /^\s*select/i.test(s)))) {
    for (const step of planOf(on, sql).split(" | ")) {
      if (/^SCAN (comments|c)\b(?! USING)/.test(step)) found.push(`${step}: ${sql}`);
    }
  }
  return found;
}

describe("comments in two homes: one set of statements", () => {
  it("answers the same from DB and from COMMENTS, through indexes in both, and moves a video whole", async () => {
    const here = migrated(() => true);
    fill(here);
    const there = commentsDatabase();
    const sentHere: string[] = [];
    const sentThere: string[] = [];
    const db = database(d1OverSqlite(here, sentHere));
    const moved = database(d1OverSqlite(there, sentThere));

    const video = id("v", 7);
    const before = await answers(db, video);
    // Counted by hand in the table: published, and a stub or by an author in good standing.
    const shown = here
      .prepare(
        `SELECT count(*) AS n FROM comments c JOIN users u ON u.id = c.user_id WHERE c.video_id = ? AND c.parent_id IS NULL
           AND c.status = 'published' AND (c.deleted = 1 OR u.suspended_until IS NULL)`,
      )
      .get(video) as { n: number };
    expect(shown.n).toBeLessThan(60);
    expect(before.newest.total).toBe(shown.n);
    expect(before.newest.page).toHaveLength(20);
    expect(before.asAuthor.total).toBeGreaterThan(before.newest.total); // their held comments too
    expect(before.replies.total).toBeGreaterThan(0);
    // A suspended author's replies are not counted where others see the count.
    const counted = before.top.page.map((c) => c.replyCount);
    expect(Math.max(...counted)).toBe(4);
    expect(counted.some((n) => n > 0 && n < 4)).toBe(true);
    expect(await store.commentHome(db, video)).toEqual({ moved: false, channelId: "c1" });

    const copied = await store.moveVideoComments(db, moved, video);
    expect(copied).toBe(60 + 20 * 4);
    expect(await store.commentHome(db, video)).toEqual({ moved: true, channelId: "c1" });
    expect((here.prepare("SELECT count(*) AS n FROM comments WHERE video_id = ?").get(video) as { n: number }).n).toBe(
      0,
    );
    expect(await answers(moved, video)).toEqual(before);
    // The held queue, by channel: the same video's held comments, newest first.
    const held = await store.heldOnChannel(moved, "c1", 50);
    expect(held.rows.map((r) => r.videoId)).toEqual(held.rows.map(() => video));
    expect(held.total).toBe(3);
    // And a second move of the same video copies nothing.
    expect(await store.moveVideoComments(db, moved, video)).toBe(0);

    // Every statement was planned through an index, in each database.
    await answers(db, id("v", 8));
    await store.heldOnChannel(db, "c1", 50);
    await store.commentedVideoIdsOf(db, id("u", 3));
    await store.commentedVideoIdsOf(moved, id("u", 3));
    // The "top" order reads a video's top-level comments by the index made for it (migration 0025).
    for (const [on, sent] of [
      [here, sentHere],
      [there, sentThere],
    ] as const) {
      const top = sent.find((x) => /^select .* order by "comments_full"."reply_count" desc/s.test(x));
      expect(top && planOf(on, top)).toMatch(/^SEARCH (c|comments) USING INDEX comments_top/);
    }
    expect(scans(here, sentHere)).toEqual([]);
    expect(scans(there, sentThere)).toEqual([]);
  });
});
