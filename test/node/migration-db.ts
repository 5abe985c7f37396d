// Helpers for tests of a migration that rebuilds a table: the project's migrations applied in
// order to an in-memory database in Node's SQLite (the SQLite of the local D1), rows made up
// for the columns a test does not care about, and a table's bytes with its indexes.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { DatabaseSync } from "node:sqlite";

export const migrationsDir = path.join(import.meta.dirname, "../../migrations");
const files = readdirSync(migrationsDir)
  .filter((f) => f.endsWith(".sql"))
  .sort();

/** A database with the migrations `upTo` accepts applied in order, foreign keys on (as D1 has them). */
export function migrated(upTo: (file: string) => boolean) {
  const db = new DatabaseSync(":memory:");
  db.exec("PRAGMA foreign_keys = ON");
  for (const f of files.filter(upTo)) applyMigration(db, f);
  return db;
}

export function applyMigration(db: DatabaseSync, file: string) {
  db.exec(readFileSync(path.join(migrationsDir, file), "utf8"));
}

/** One row of `table`: `given` columns as given, every other required column without a default made up by its type. */
export function insertRow(db: DatabaseSync, table: string, given: Record<string, string | number>) {
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

/** A table's bytes with all its indexes (its key's, and the secondary ones). */
export const bytes = (db: DatabaseSync, table: string) =>
  (
    db
      .prepare("SELECT SUM(pgsize) AS b FROM dbstat WHERE name IN (SELECT name FROM sqlite_master WHERE tbl_name = ?)")
      .get(table) as { b: number }
  ).b;

/** How SQLite plans `sql`: the detail of each step, joined (`SEARCH ... USING ...`, `SCAN ...`). */
export const plan = (db: DatabaseSync, sql: string, ...params: (string | number)[]) =>
  (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as { detail: string }[]).map((r) => r.detail).join("; ");
