// Migration 0020 (issue 23, docs/capacity.md) rebuilds `subscriptions`, the catalogue's largest
// table, as a WITHOUT ROWID table with one secondary index (the channel's). Applied here, with
// the project's migrations in order, to a database that already holds subscriptions, in Node's
// SQLite (the SQLite of the local D1): every row comes through, the subscriber counts stay
// exact through the triggers that were rebuilt with it, the key and foreign keys still hold,
// a user's list and a channel's fan-out still read through an index, and the rows take fewer
// bytes.
import type { DatabaseSync } from "node:sqlite";
import { describe, expect, it } from "vitest";
import { applyMigration, bytes, insertRow, migrated, plan } from "./migration-db";

const REBUILT = "0020_subscriptions_without_rowid.sql";
const USERS = 400;

/** Three channels; every user subscribes to one to three of them, at distinct times. */
function fill(db: DatabaseSync) {
  for (const c of [0, 1, 2]) {
    insertRow(db, "users", { id: `owner${c}` });
    insertRow(db, "channels", { id: `chan${c}`, owner_id: `owner${c}`, subscriber_count: 0 });
  }
  const subscribe = db.prepare("INSERT INTO subscriptions (user_id, channel_id, created_at) VALUES (?, ?, ?)");
  for (let u = 0; u < USERS; u++) {
    insertRow(db, "users", { id: `user${String(u).padStart(4, "0")}` });
    for (let c = 0; c <= u % 3; c++)
      subscribe.run(`user${String(u).padStart(4, "0")}`, `chan${c}`, 1_765_000_000_000 + u * 10 + c);
  }
}

const dump = (db: DatabaseSync) => db.prepare("SELECT * FROM subscriptions ORDER BY user_id, channel_id").all();
const counts = (db: DatabaseSync) =>
  db.prepare("SELECT id, subscriber_count AS n FROM channels WHERE id LIKE 'chan%' ORDER BY id").all();
const count = (db: DatabaseSync, channel: string) =>
  (db.prepare("SELECT subscriber_count AS n FROM channels WHERE id = ?").get(channel) as { n: number }).n;

// The statements of workers/storage/subscriptions.ts and notifications.ts, as drizzle sends them.
const LIST = `SELECT c.*, s.created_at FROM subscriptions s INNER JOIN channels c ON c.id = s.channel_id
  WHERE s.user_id = ? ORDER BY s.created_at DESC, s.channel_id DESC LIMIT 20 OFFSET 0`;
const FAN_OUT = "SELECT user_id FROM subscriptions WHERE channel_id = ?1 AND user_id > ?2 ORDER BY user_id LIMIT ?3";

describe("migration 0020: subscriptions as a WITHOUT ROWID table", () => {
  it("keeps every row, the counts, the key and the foreign keys, reads by index, in fewer bytes", () => {
    const db = migrated((f) => f < REBUILT);
    fill(db);
    const rowsBefore = dump(db);
    const countsBefore = counts(db);
    const bytesBefore = bytes(db, "subscriptions");
    expect(rowsBefore).toHaveLength(USERS * 2 - 1); // 1, 2, 3, 1, 2, 3, ... over 400 users
    expect(countsBefore).toEqual([
      { id: "chan0", n: USERS },
      { id: "chan1", n: 266 },
      { id: "chan2", n: 133 },
    ]);
    applyMigration(db, REBUILT);

    const sql = (db.prepare("SELECT sql FROM sqlite_master WHERE name = 'subscriptions'").get() as { sql: string }).sql;
    expect(sql).toMatch(/WITHOUT ROWID$/);
    expect(dump(db)).toEqual(rowsBefore);
    expect(counts(db)).toEqual(countsBefore); // dropping the old table fired no trigger
    expect(bytes(db, "subscriptions")).toBeLessThan(0.7 * bytesBefore);
    const indexes = db
      .prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'subscriptions'")
      .all()
      .map((r) => (r as { name: string }).name);
    expect(indexes).toContain("subscriptions_channel_user");
    expect(indexes).not.toContain("subscriptions_user_created");

    // A user's newest-first list reads their rows by the key (no scan of the table), and the
    // fan-out a channel's by its index; the list's order is as before.
    expect(plan(db, LIST, "user0005")).toMatch(/SEARCH s USING PRIMARY KEY \(user_id=\?\)/);
    expect(plan(db, LIST, "user0005")).not.toMatch(/SCAN s/);
    expect(plan(db, FAN_OUT, "chan1", "", 100)).toMatch(/USING (COVERING )?INDEX subscriptions_channel_user/);
    expect(
      db
        .prepare(LIST)
        .all("user0005")
        .map((r) => (r as { id: string }).id),
    ).toEqual(["chan2", "chan1", "chan0"]);

    // The rebuilt triggers count only rows really written; the key refuses a second row; the
    // foreign keys refuse a missing channel and take a deleted user's rows (and counts) away.
    db.prepare("INSERT INTO subscriptions (user_id, channel_id) VALUES ('user0000', 'chan2')").run();
    expect(count(db, "chan2")).toBe(134);
    db.prepare("INSERT OR IGNORE INTO subscriptions (user_id, channel_id) VALUES ('user0000', 'chan2')").run();
    expect(count(db, "chan2")).toBe(134);
    expect(() =>
      db.prepare("INSERT INTO subscriptions (user_id, channel_id) VALUES ('user0000', 'chan2')").run(),
    ).toThrow(/UNIQUE|PRIMARY KEY/);
    expect(() =>
      db.prepare("INSERT INTO subscriptions (user_id, channel_id) VALUES ('user0000', 'nope')").run(),
    ).toThrow(/FOREIGN KEY/);
    db.prepare("DELETE FROM subscriptions WHERE user_id = 'user0001' AND channel_id = 'chan1'").run();
    expect(count(db, "chan1")).toBe(265);
    db.prepare("DELETE FROM users WHERE id = 'user0002'").run(); // chan0, chan1 and chan2
    expect(counts(db)).toEqual([
      { id: "chan0", n: USERS - 1 },
      { id: "chan1", n: 264 },
      { id: "chan2", n: 133 },
    ]);
    expect(db.prepare("SELECT count(*) AS n FROM subscriptions WHERE user_id = 'user0002'").get()).toEqual({ n: 0 });

    // A fresh database gets the same table (what every test database and a new deployment run).
    const fresh = migrated(() => true);
    const shape = (d: DatabaseSync) => d.prepare("SELECT * FROM pragma_table_info('subscriptions')").all();
    expect(shape(fresh)).toEqual(shape(db));
    expect(
      (fresh.prepare("SELECT sql FROM sqlite_master WHERE name = 'subscriptions'").get() as { sql: string }).sql,
    ).toBe(sql);
  });
});
