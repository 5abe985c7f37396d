// Migration 0015 rebuilds four per-view roll-ups and dedupe tables as WITHOUT ROWID tables
// (issue 23, docs/capacity.md). Applied here, with the project's migrations in order, to a
// database that already holds rows, in Node's SQLite (the SQLite of the local D1): every row
// comes through with its values, keys and foreign keys still hold, and the rows take fewer bytes.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { DatabaseSync } from "node:sqlite";
import { describe, expect, it } from "vitest";

const dir = path.join(import.meta.dirname, "../../migrations");
const files = readdirSync(dir)
  .filter((f) => f.endsWith(".sql"))
  .sort();
const REBUILT = "0015_rollups_without_rowid.sql";
const TABLES = ["view_marks", "video_stats_hourly", "video_stats_daily", "video_region_daily"];

function migrated(upTo: (f: string) => boolean) {
  const db = new DatabaseSync(":memory:");
  db.exec("PRAGMA foreign_keys = ON");
  for (const f of files.filter(upTo)) db.exec(readFileSync(path.join(dir, f), "utf8"));
  return db;
}

/** One row of `table`: `given` columns as given, every other required column without a default made up by its type. */
function insertRow(db: DatabaseSync, table: string, given: Record<string, string | number>) {
  const key = String(Object.values(given)[0]);
  const columns = (
    db
      .prepare(`SELECT name, type, "notnull" AS required, dflt_value AS fallback FROM pragma_table_info('${table}')`)
      .all() as {
      name: string;
      type: string;
      required: number;
      fallback: string | null;
    }[]
  ).filter((c) => c.name in given || (c.required && c.fallback === null));
  const value = (c: (typeof columns)[number]) =>
    given[c.name] ?? (/INT/i.test(c.type) ? 1_765_000_000_000 : /REAL/i.test(c.type) ? 1 : `${c.name}-${key}`);
  db.prepare(
    `INSERT INTO ${table} (${columns.map((c) => c.name).join(", ")}) VALUES (${columns.map(() => "?").join(", ")})`,
  ).run(...columns.map(value));
}

/** Rows of every kind the five tables hold, for `n` videos of one channel. */
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
      ).run(`vid${v}`, hour, v + h, 12.5 * h, h, 1);
      db.prepare(
        `INSERT INTO video_region_hourly (video_id, region, hour, views, watch_seconds, likes, comments, shares, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ).run(`vid${v}`, "US", hour, v, 3.25, 0, h, 0, now + h);
      db.prepare(
        "INSERT INTO video_stats_daily (video_id, day, views, watch_seconds, likes, shares) VALUES (?, ?, ?, ?, ?, ?)",
      ).run(`vid${v}`, 20_000 + h, 100 + v, 7.5, 2, 0);
      db.prepare(
        `INSERT INTO video_region_daily (video_id, region, day, views, watch_seconds, likes, comments, shares)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      ).run(`vid${v}`, "BR", 20_000 + h, v, 1.5, 1, 1, 1);
    }
  }
}

const dump = (db: DatabaseSync, table: string) => db.prepare(`SELECT * FROM ${table} ORDER BY 1, 2, 3`).all();
/** A table's bytes with all its indexes (its key's, and the secondary ones). */
const bytes = (db: DatabaseSync, table: string) =>
  (
    db
      .prepare("SELECT SUM(pgsize) AS b FROM dbstat WHERE name IN (SELECT name FROM sqlite_master WHERE tbl_name = ?)")
      .get(table) as { b: number }
  ).b;

describe("migration 0015: the per-view roll-ups and marks as WITHOUT ROWID tables", () => {
  it("keeps every row, key, index and foreign key, and stores the rows in fewer bytes", () => {
    const before = migrated((f) => f < REBUILT);
    fill(before, 300);
    const rowsBefore = Object.fromEntries(TABLES.map((t) => [t, dump(before, t)]));
    const bytesBefore = Object.fromEntries(TABLES.map((t) => [t, bytes(before, t)]));
    before.exec(readFileSync(path.join(dir, REBUILT), "utf8"));

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
    expect(indexes.map((r) => (r as { name: string }).name)).toEqual(expect.arrayContaining(["video_stats_hour"]));
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
    // A fresh database gets the same tables (what every test database and a new deployment run).
    const fresh = migrated(() => true);
    for (const t of TABLES) {
      const shape = (db: DatabaseSync) => db.prepare(`SELECT * FROM pragma_table_info('${t}')`).all();
      expect(shape(fresh), t).toEqual(shape(before));
    }
  });
});
