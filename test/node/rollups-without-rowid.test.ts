// Migration 0015 (issue 23, docs/capacity.md) rebuilds view_marks and the daily roll-ups as
// WITHOUT ROWID tables and drops video_stats_hourly, whose hours are the sums of the regional
// ones. Applied here, with the project's migrations in order, to a database that already holds
// rows, in Node's SQLite (the SQLite of the local D1): every row comes through with its values,
// keys and foreign keys still hold, the rows take fewer bytes, and no video's all-time figures
// change (hours only the global table had move into the regional table's `ZZ` row).
import { readFileSync } from "node:fs";
import path from "node:path";
import type { DatabaseSync } from "node:sqlite";
import { describe, expect, it } from "vitest";
import { bytes, migrationsDir as dir, insertRow, migrated } from "./migration-db";

const REBUILT = "0015_rollups_without_rowid.sql";
const TABLES = ["view_marks", "video_stats_daily", "video_region_daily"];

/**
 * Rows of every kind the per-view tables hold, for `n` videos of one channel: each hour in two
 * regions and, summed, in the global table, as the consumer wrote them; and for every tenth
 * video an hour only the global table has (written before the regional table existed).
 */
function fill(db: DatabaseSync, n: number) {
  const now = Date.UTC(2026, 11, 6);
  insertRow(db, "users", { id: "u1" });
  insertRow(db, "channels", { id: "c1", owner_id: "u1" });
  for (let v = 0; v < n; v++) {
    insertRow(db, "videos", { id: `vid${v}`, channel_id: "c1", owner_id: "u1" });
    for (let h = 0; h < 3; h++) {
      const hour = 493_000 + h;
      db.prepare("INSERT INTO view_marks (video_id, viewer, hour, region) VALUES (?, ?, ?, ?)").run(
        `vid${v}`,
        `viewer${h}`,
        hour,
        "DE",
      );
      db.prepare(
        "INSERT INTO video_stats_hourly (video_id, hour, views, watch_seconds, likes, shares) VALUES (?, ?, ?, ?, ?, ?)",
      ).run(`vid${v}`, hour, v + h + 1, 3.25 + 12.5 * h, h, 1);
      const regional = db.prepare(
        `INSERT INTO video_region_hourly (video_id, region, hour, views, watch_seconds, likes, comments, shares, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      );
      regional.run(`vid${v}`, "US", hour, v, 3.25, 0, h, 0, now + h);
      regional.run(`vid${v}`, "DE", hour, h + 1, 12.5 * h, h, 0, 1, now + h);
      db.prepare(
        "INSERT INTO video_stats_daily (video_id, day, views, watch_seconds, likes, shares) VALUES (?, ?, ?, ?, ?, ?)",
      ).run(`vid${v}`, 20_000 + h, 100 + v, 7.5, 2, 0);
      db.prepare(
        `INSERT INTO video_region_daily (video_id, region, day, views, watch_seconds, likes, comments, shares)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      ).run(`vid${v}`, "BR", 20_000 + h, v, 1.5, 1, 1, 1);
    }
    if (v % 10 === 0) {
      db.prepare(
        "INSERT INTO video_stats_hourly (video_id, hour, views, watch_seconds, likes, shares) VALUES (?, ?, ?, ?, ?, ?)",
      ).run(`vid${v}`, 492_990, 7, 70, 1, 2);
    }
  }
}

/** Every video's all-time figures as the catalogue reads them: its hours and its days. */
const allTime = (db: DatabaseSync, hours: "video_stats_hourly" | "video_region_hourly") =>
  db
    .prepare(
      `SELECT video_id, sum(views) AS views, round(sum(watch_seconds), 3) AS watch_seconds, sum(likes) AS likes,
         sum(shares) AS shares
       FROM (SELECT video_id, views, watch_seconds, likes, shares FROM ${hours}
             UNION ALL SELECT video_id, views, watch_seconds, likes, shares FROM video_stats_daily)
       GROUP BY video_id ORDER BY video_id`,
    )
    .all();

const dump = (db: DatabaseSync, table: string) => db.prepare(`SELECT * FROM ${table} ORDER BY 1, 2, 3`).all();
describe("migration 0015: the per-view roll-ups and marks as WITHOUT ROWID tables", () => {
  it("keeps every row, key, index and foreign key, and stores the rows in fewer bytes", () => {
    const before = migrated((f) => f < REBUILT);
    fill(before, 300);
    const rowsBefore = Object.fromEntries(TABLES.map((t) => [t, dump(before, t)]));
    const bytesBefore = Object.fromEntries(TABLES.map((t) => [t, bytes(before, t)]));
    const figuresBefore = allTime(before, "video_stats_hourly");
    const regionalBefore = before.prepare("SELECT count(*) AS n FROM video_region_hourly").get();
    before.exec(readFileSync(path.join(dir, REBUILT), "utf8"));

    // The global hours are gone; the regional ones answer the same all-time figures for every
    // video, the hours only the global table had now in `ZZ` rows (one per such video).
    expect(before.prepare("SELECT name FROM sqlite_master WHERE name LIKE 'video_stats_hour%'").all()).toEqual([]);
    expect(figuresBefore).toHaveLength(300);
    expect(allTime(before, "video_region_hourly")).toEqual(figuresBefore);
    expect(before.prepare("SELECT count(*) AS n FROM video_region_hourly").get()).toEqual({
      n: (regionalBefore as { n: number }).n + 30,
    });
    expect(
      before
        .prepare(
          "SELECT video_id, views, likes, shares, comments FROM video_region_hourly WHERE region = 'ZZ' AND video_id = 'vid10'",
        )
        .all(),
    ).toEqual([{ video_id: "vid10", views: 7, likes: 1, shares: 2, comments: 0 }]);

    for (const t of TABLES) {
      const sql = (before.prepare("SELECT sql FROM sqlite_master WHERE name = ?").get(t) as { sql: string }).sql;
      expect(sql, t).toMatch(/WITHOUT ROWID$/);
      expect(dump(before, t), t).toEqual(rowsBefore[t]);
      expect(rowsBefore[t]?.length, t).toBe(900);
      expect(bytes(before, t), t).toBeLessThan(0.8 * (bytesBefore[t] ?? 0));
    }
    // The indexes the cron and trending read through are there again.
    const indexes = before
      .prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND name NOT LIKE 'sqlite_%'")
      .all();
    expect(indexes.map((r) => (r as { name: string }).name)).toEqual(
      expect.arrayContaining(["video_region_hourly_updated", "video_region_hourly_hour"]),
    );
    // The key still refuses a second row, and deleting a video still deletes its rows.
    expect(() => before.prepare("INSERT INTO video_stats_daily (video_id, day) VALUES ('vid1', 20000)").run()).toThrow(
      /UNIQUE|PRIMARY KEY/,
    );
    expect(() =>
      before.prepare("INSERT INTO view_marks (video_id, viewer, hour) VALUES ('nope', 'v', 1)").run(),
    ).toThrow(/FOREIGN KEY/);
    before.prepare("DELETE FROM videos WHERE id = 'vid1'").run();
    for (const t of TABLES) {
      expect(before.prepare(`SELECT count(*) AS n FROM ${t} WHERE video_id = 'vid1'`).get(), t).toEqual({ n: 0 });
    }
  });
});
