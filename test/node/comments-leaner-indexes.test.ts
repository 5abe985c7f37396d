// Migration 0025 (issue 23, docs/capacity.md "Comments") drops two of the comments' index
// bytes: the index by parent alone (replies are read with their video, through the index a
// video's top-level comments are read by) and the "top" order's index over every comment
// (only top-level comments take that order). Applied here, with the project's migrations in
// order, to a database that holds comments and replies, in Node's SQLite (the SQLite of the
// local D1): every row comes through, the table with its indexes takes fewer bytes, and each
// way storage/comments.ts reads or deletes comments still finds them through an index, never
// a scan of the table.
import type { DatabaseSync } from "node:sqlite";
import { describe, expect, it } from "vitest";
import { applyMigration, bytes, insertRow, migrated, plan } from "./migration-db";

const LEANER = "0025_comments_leaner_indexes.sql";
/** Ids as long as the platform's (16 characters, lib/ids.ts). */
const id = (prefix: string, n: number) => `${prefix}${n}`.padEnd(16, "x");

/** 20 videos, 100 top-level comments each and a reply to every other one, by 50 users. */
function fill(db: DatabaseSync) {
  for (let u = 0; u < 50; u++) insertRow(db, "users", { id: id("u", u) });
  insertRow(db, "channels", { id: "c1", owner_id: id("u", 0), name: "Channel" });
  const comment = db.prepare(
    `INSERT INTO comments (id, video_id, parent_id, user_id, content, status, reply_count, created_at)
     VALUES (?, ?, ?, ?, ?, 'published', ?, ?)`,
  );
  let at = 1_765_000_000_000;
  for (let v = 0; v < 20; v++) {
    const video = id("v", v);
    insertRow(db, "videos", {
      id: video,
      channel_id: "c1",
      owner_id: id("u", 0),
      title: video,
      status: "ready",
      tags: "[]",
    });
    for (let c = 0; c < 100; c++) {
      const top = id(`c${v}-`, c);
      comment.run(top, video, null, id("u", c % 50), `a comment of some length, number ${c}`, c % 2 ? 0 : 1, at++);
      if (c % 2 === 0) comment.run(id(`r${v}-`, c), video, top, id("u", (c + 7) % 50), `a reply to ${c}`, 0, at++);
    }
  }
}

const rows = (db: DatabaseSync) => db.prepare("SELECT * FROM comments ORDER BY id").all();

/** What storage/comments.ts runs, in the shapes that pick an index (the joins and columns left out). */
const READS: [string, string, (string | number)[]][] = [
  [
    "a video's top-level comments, newest first",
    "SELECT id FROM comments WHERE video_id = ? AND parent_id IS NULL AND status = 'published' ORDER BY created_at DESC, id DESC LIMIT 20",
    [id("v", 3)],
  ],
  [
    "a video's top-level comments, top first",
    "SELECT id FROM comments WHERE video_id = ? AND parent_id IS NULL AND status = 'published' ORDER BY reply_count DESC, created_at DESC, id DESC LIMIT 20",
    [id("v", 3)],
  ],
  [
    "a comment's replies, oldest first",
    "SELECT id FROM comments WHERE video_id = ? AND parent_id = ? AND status = 'published' ORDER BY created_at, id LIMIT 20",
    [id("v", 3), id("c3-", 4)],
  ],
  [
    "the first replies of a page's comments",
    "SELECT id FROM comments WHERE video_id = ? AND parent_id IN (?, ?) AND status = 'published'",
    [id("v", 3), id("c3-", 4), id("c3-", 6)],
  ],
  [
    "a comment's replies by suspended authors (the shown reply count)",
    `SELECT count(*) FROM comments AS r CROSS JOIN users AS ru ON ru.id = r.user_id
     WHERE r.video_id = ? AND r.parent_id = ? AND r.status = 'published' AND r.deleted = 0 AND ru.suspended_until IS NOT NULL`,
    [id("v", 3), id("c3-", 4)],
  ],
  [
    "a deleted comment's replies",
    "DELETE FROM comments WHERE video_id = ? AND parent_id = ?",
    [id("v", 3), id("c3-", 4)],
  ],
  [
    "the author's same text lately",
    "SELECT id FROM comments WHERE user_id = ? AND created_at > ? AND content = ? LIMIT 1",
    [id("u", 3), 0, "x"],
  ],
];

describe("migration 0025: comments' leaner indexes", () => {
  it("keeps every comment in fewer bytes, and every read still goes through an index", () => {
    const db = migrated((f) => f < LEANER);
    fill(db);
    const before = rows(db);
    const bytesBefore = bytes(db, "comments");
    applyMigration(db, LEANER);

    expect(rows(db)).toEqual(before);
    expect(bytes(db, "comments")).toBeLessThan(0.95 * bytesBefore);
    const indexes = db
      .prepare(
        "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'comments' AND sql IS NOT NULL ORDER BY name",
      )
      .all()
      .map((r) => (r as { name: string }).name);
    expect(indexes).toEqual(["comments_top", "comments_user_created", "comments_video_parent_created"]);

    for (const [what, sql, params] of READS) {
      const steps = plan(db, sql, ...params);
      expect(steps, what).toMatch(/USING (COVERING )?INDEX comments_/);
      expect(steps, what).not.toMatch(/\bSCAN (r|comments)\b(?! USING)/);
    }
    expect(plan(db, READS[1]![1], ...READS[1]![2])).toContain("comments_top");

    // The top order's index holds top-level comments only, and answers as the table does.
    const top = db.prepare(READS[1]![1]).all(id("v", 3));
    const byTable = db
      .prepare(
        `SELECT id FROM comments NOT INDEXED WHERE video_id = ? AND parent_id IS NULL AND status = 'published'
         ORDER BY reply_count DESC, created_at DESC, id DESC LIMIT 20`,
      )
      .all(id("v", 3));
    expect(top).toEqual(byTable);
    expect(top).toHaveLength(20);
  });
});
