// Migration 0022 (issue 23, docs/capacity.md) drops the per-view tables that left the shared D1
// for the objects. The cron of the releases before it moved their rows out; the migration
// refuses to run while any of them still holds a row, naming the table, and D1 then rolls the
// whole migration back, so nothing is dropped and nothing is lost. Here: each table in turn
// holding one row, in Node's SQLite (the SQLite of the local D1) with the migration in one
// transaction as D1 applies it; the drop once they are empty; and the refusal through wrangler
// itself (`wrangler d1 migrations apply --local`, the command a deployment runs remotely).
import type { DatabaseSync } from "node:sqlite";
import { describe, expect, it } from "vitest";
import { applyAsD1, expectGuardThroughWrangler, insertRow, migrated, tablesOf as tables } from "./migration-db";

const DROP = "0022_drop_drained_tables.sql";

/** One row of each drained table (its foreign keys naming the user and videos of `migratedTo0021`). */
const ROWS: Record<string, Record<string, string | number>> = {
  watch_history: { user_id: "u1", video_id: "v1" },
  video_likes: { user_id: "u1", video_id: "v1", value: 1 },
  view_marks: { video_id: "v1", viewer: "a:1", hour: 1 },
  video_region_hourly: { video_id: "v1", region: "DE", hour: 1 },
  video_stats_daily: { video_id: "v1", day: 1 },
  co_views: { video_a: "v1", video_b: "v2", region: "global", score: 1 },
  viewer_recent_watches: { viewer: "a:1", video_id: "v1", region: "DE" },
  room_members: { user_id: "u1", video_id: "v1" },
};
/** Tables dropped whatever they hold: event ids only D1's old roll-up read, and days nothing read. */
const UNGUARDED: Record<string, Record<string, string | number>> = {
  processed_events: { id: "e1" },
  video_region_daily: { video_id: "v1", region: "DE", day: 1 },
};
const DRAINED = [...Object.keys(ROWS), ...Object.keys(UNGUARDED)];

/** A database migrated up to 0022, with a user, a channel and two videos. */
function migratedTo0021() {
  const db = migrated((f) => f < DROP);
  insertRow(db, "users", { id: "u1" });
  insertRow(db, "channels", { id: "c1", owner_id: "u1", name: "Channel" });
  for (const id of ["v1", "v2"]) {
    insertRow(db, "videos", { id, channel_id: "c1", owner_id: "u1", title: id, status: "ready", tags: "[]" });
  }
  return db;
}

const count = (db: DatabaseSync, table: string) =>
  (db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;

describe("migration 0022: the drained tables dropped", () => {
  for (const [table, row] of Object.entries(ROWS)) {
    it(`refuses while ${table} still holds a row, naming it, and changes nothing`, () => {
      const db = migratedTo0021();
      insertRow(db, table, row);
      expect(() => applyAsD1(db, DROP)).toThrow(`CHECK constraint failed: ${table}_not_yet_drained`);
      expect(tables(db)).toEqual(expect.arrayContaining(DRAINED));
      expect(tables(db)).not.toContain("drained");
      expect(count(db, table)).toBe(1);
    });
  }

  it("drops every one once they are empty, whatever the two unguarded ones hold; the catalogue stays", () => {
    const db = migratedTo0021();
    for (const [table, row] of Object.entries(UNGUARDED)) insertRow(db, table, row);
    applyAsD1(db, DROP);
    const left = tables(db);
    for (const table of [...DRAINED, "drained"]) expect(left).not.toContain(table);
    expect(count(db, "videos")).toBe(2);
    expect(db.prepare("PRAGMA foreign_key_check").all()).toEqual([]);
    // Every index of theirs went with them.
    const indexes = db.prepare("SELECT name, tbl_name FROM sqlite_master WHERE type = 'index'").all() as {
      tbl_name: string;
    }[];
    expect(indexes.filter((i) => DRAINED.includes(i.tbl_name))).toEqual([]);
  });

  it("is refused by wrangler's D1 with the table's name, and rolled back whole", () => {
    // A row the cron has not moved yet: a join D1 remembered, with its user and video.
    expectGuardThroughWrangler({
      name: "drop-drained",
      drop: DROP,
      pending: ["INSERT INTO room_members (user_id, video_id, joined_at) VALUES ('u1', 'v1', 1)"],
      constraint: "room_members_not_yet_drained",
      dropped: DRAINED,
      guardTable: "drained",
      // Drained, the same migration goes through.
      clear: ["DELETE FROM room_members"],
      kept: "videos",
    });
  }, 120_000);
});
