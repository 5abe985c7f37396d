// Migration 0027 (issue 23, docs/capacity.md "The comments move", step 3) drops this
// database's comments: since 0026 every new video's comments are in the `COMMENTS` database,
// and the cron of the release before moved the older videos' there. A comment still here lives
// nowhere else, so the migration refuses to run while one is, and D1 rolls it back whole. Here,
// in Node's SQLite (the SQLite of the local D1): the refusal, the drop once the comments are
// gone, after which videos and users are still written and deleted as the platform does (no
// trigger or view left reading a dropped table); the refusal through wrangler itself; and the
// statements of workers/storage/comments.ts, sent by drizzle through a D1 binding over a
// `COMMENTS` migrated as its own: the answers a user would read, every statement through an
// index, never a scan of the comments.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { DatabaseSync } from "node:sqlite";
import { describe, expect, it } from "vitest";
import { sqliteD1 } from "../../bench/sqlite-d1.ts";
import * as store from "../../workers/storage/comments";
import { database } from "../../workers/storage/db";
import { applyAsD1, expectGuardThroughWrangler, insertRow, migrated, migrationsDir, tablesOf } from "./migration-db";

const DROP = "0027_drop_moved_comments.sql";

/** A database migrated up to 0026, with a video whose comment was not moved yet. */
function withUnmovedComment() {
  const db = migrated((f) => f < DROP);
  insertRow(db, "users", { id: "u1" });
  insertRow(db, "channels", { id: "c1", owner_id: "u1", name: "Channel" });
  insertRow(db, "videos", { id: "v1", channel_id: "c1", owner_id: "u1", title: "v1", status: "ready", tags: "[]" });
  db.exec("INSERT INTO comments (id, video_id, user_id, content, created_at) VALUES ('k1', 'v1', 'u1', 'hello', 0)");
  return db;
}

const count = (db: DatabaseSync, table: string) =>
  (db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;

describe("migration 0027: this database's comments dropped", () => {
  it("refuses while a comment is not moved, and changes nothing", () => {
    const db = withUnmovedComment();
    expect(() => applyAsD1(db, DROP)).toThrow("CHECK constraint failed: comments_not_yet_moved");
    expect(tablesOf(db)).toContain("comments");
    expect(tablesOf(db)).not.toContain("moved");
    expect(count(db, "comments")).toBe(1);
    expect(count(db, "comments_full")).toBe(1);
  });

  it("drops the comments, their view and guard once they moved; videos and users still come and go", () => {
    const db = withUnmovedComment();
    db.exec("DELETE FROM comments"); // what the cron's move did
    applyAsD1(db, DROP);
    expect(tablesOf(db)).not.toContain("comments");
    expect(tablesOf(db)).not.toContain("moved");
    const left = db.prepare("SELECT type, name FROM sqlite_master WHERE sql LIKE '%comments%'").all() as {
      name: string;
    }[];
    // Only tables with a column of that name (the rooms' roll-ups counted comments) mention it.
    expect(left.map((r) => r.name).filter((n) => /comments/.test(n))).toEqual([]);
    insertRow(db, "videos", { id: "v2", channel_id: "c1", owner_id: "u1", title: "v2", status: "ready", tags: "[]" });
    db.exec("UPDATE videos SET visibility = 'private' WHERE id = 'v2'");
    db.exec("DELETE FROM videos WHERE id = 'v1'");
    db.exec("DELETE FROM users WHERE id = 'u1'");
    expect(count(db, "videos")).toBe(0);
    expect(db.prepare("PRAGMA foreign_key_check").all()).toEqual([]);
  });

  it("is refused by wrangler's D1 with the constraint's name, and rolled back whole", () => {
    expectGuardThroughWrangler({
      name: "drop-moved-comments",
      drop: DROP,
      pending: [
        "INSERT INTO comments (id, video_id, user_id, content, created_at) VALUES ('k1', 'v1', 'u1', 'hello', 0)",
      ],
      constraint: "comments_not_yet_moved",
      dropped: ["comments"],
      clear: ["DELETE FROM comments"],
      kept: "videos",
    });
  }, 120_000);
});

function commentsDatabase() {
  const db = new DatabaseSync(":memory:");
  const dir = path.join(migrationsDir, "comments");
  for (const f of readdirSync(dir)
    .filter((f) => f.endsWith(".sql"))
    .sort())
    db.exec(readFileSync(path.join(dir, f), "utf8"));
  return db;
}

const id = (prefix: string, n: number) => `${prefix}${String(n).padStart(4, "0")}`;

/** Comments of 30 videos of one channel: top-level ones, replies, held ones, stubs; every tenth author suspended. */
function fill(db: DatabaseSync) {
  const comment = db.prepare(
    `INSERT INTO comments (id, video_id, channel_id, parent_id, user_id, username, author_suspended, content, status,
       deleted, reply_count, created_at) VALUES (?, ?, 'c1', ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const author = (n: number) => [id("u", n % 40), `user${n % 40}`, (n % 40) % 10 === 9 ? 1 : 0] as const;
  let at = 1_765_000_000_000;
  for (let v = 0; v < 30; v++) {
    for (let c = 0; c < 60; c++) {
      const top = id(`t${v}-`, c);
      const replies = c % 3 === 0 ? 4 : 0;
      const held = c % 17 === 5 ? "held" : "published";
      const stub = c % 13 === 0 && replies > 0 ? 1 : 0;
      comment.run(top, id("v", v), null, ...author(c), stub ? "" : `comment ${c}`, held, stub, replies, at++);
      for (let r = 0; r < replies; r++) {
        comment.run(id(`r${v}-${c}-`, r), id("v", v), top, ...author(c + r + 3), `reply ${r}`, "published", 0, 0, at++);
      }
    }
  }
}

/** How SQLite plans a statement sent (its parameters made up): the detail of each step, joined. */
const planOf = (on: DatabaseSync, sql: string) =>
  (on.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...(sql.match(/\?/g) ?? []).map(() => "x")) as { detail: string }[])
    .map((r) => r.detail)
    .join(" | ");

describe("the COMMENTS database: storage/comments.ts's statements", () => {
  it("answer as the rows say, each through an index", async () => {
    const on = commentsDatabase();
    fill(on);
    const sent: string[] = [];
    const db = database(sqliteD1(on, sent));
    const video = id("v", 7);
    const slice = (order: "newest" | "top" | "thread") => ({ order, limit: 20, offset: 0 });

    // Read by hand from the table: published, and a stub or by an author in good standing.
    const listed = (
      on
        .prepare(
          `SELECT id FROM comments WHERE video_id = ? AND parent_id IS NULL AND status = 'published'
             AND (deleted = 1 OR author_suspended = 0) ORDER BY created_at DESC`,
        )
        .all(video) as { id: string }[]
    ).map((r) => r.id);
    const shown = listed.length;
    expect(shown).toBeLessThan(60);
    const newest = await store.topLevelPage(db, video, slice("newest"));
    expect(newest.total).toBe(shown);
    expect(newest.page.map((c) => c.id)).toEqual(listed.slice(0, 20));
    // A suspended author's replies are not counted where others see the count.
    const top = await store.topLevelPage(db, video, slice("top"));
    const counted = top.page.map((c) => c.replyCount);
    expect(Math.max(...counted)).toBe(4);
    expect(counted.some((n) => n > 0 && n < 4)).toBe(true);
    expect((await store.topLevelPage(db, video, slice("newest"), id("u", 5))).total).toBeGreaterThan(shown);
    const replies = await store.repliesPage(db, video, id("t7-", 3), slice("thread"));
    // Its fourth reply is by user 9, suspended: hidden, and not counted.
    expect(replies.page.map((r) => r.content)).toEqual(["reply 0", "reply 1", "reply 2"]);
    expect(top.page.find((c) => c.id === id("t7-", 3))?.replyCount).toBe(3);
    expect((await store.findComment(db, id("t7-", 3)))?.username).toBe("user3");
    const held = await store.heldOnChannel(db, "c1", 50, 0);
    const heldRows = on
      .prepare("SELECT count(*) AS n FROM comments WHERE status = 'held' AND deleted = 0 AND author_suspended = 0")
      .get() as { n: number };
    expect(held.total).toBe(heldRows.n);
    expect(held.rows).toHaveLength(Math.min(50, heldRows.n));
    expect(held.rows.every((r) => r.status === "held")).toBe(true);
    expect(await store.commentedVideoIdsOf(db, id("u", 3))).toHaveLength(30);
    expect(await store.readsPastCache(db, video, id("u", 5), new Date(0))).toBe(true);

    // Every statement was planned through an index; the "top" order through its own.
    const reads = [...new Set(sent.filter((s) => /^\s*select/i.test(s)))];
    const scans = reads.flatMap((sql) =>
      planOf(on, sql)
        .split(" | ")
        .filter((step) => /^SCAN comments\b(?! USING)/.test(step))
        .map((step) => `${step}: ${sql}`),
    );
    expect(scans).toEqual([]);
    const topOrder = reads.find((x) => /^select .* order by "comments"."reply_count" desc/s.test(x));
    expect(topOrder && planOf(on, topOrder)).toMatch(/^SEARCH comments USING INDEX comments_top/);
  });
});
