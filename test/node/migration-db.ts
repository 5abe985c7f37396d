// Helpers for tests of a migration that rebuilds or drops a table: the project's migrations
// applied in order to an in-memory database in Node's SQLite (the SQLite of the local D1), or
// to a local D1 through wrangler; rows made up for the columns a test does not care about, and
// a table's bytes with its indexes.
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { DatabaseSync } from "node:sqlite";
import { expect } from "vitest";

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

/**
 * A throwaway project of one local D1 (`DB`) driven by wrangler itself, as a deployment runs
 * its migrations remotely: `copy` puts the project's migration files `keep` accepts in its
 * migrations folder, `wrangler` runs `wrangler d1 <args> --local` there, `tables` lists its
 * tables. `dispose` removes it.
 */
function wranglerD1(name: string) {
  const dir = mkdtempSync(path.join(tmpdir(), `${name}-`));
  mkdirSync(path.join(dir, "migrations"));
  writeFileSync(
    path.join(dir, "wrangler.toml"),
    `name = "${name}"\ncompatibility_date = "2026-11-01"\n[[d1_databases]]\nbinding = "DB"\n` +
      `database_name = "${name}"\ndatabase_id = "00000000-0000-0000-0000-000000000000"\n` +
      `migrations_dir = "migrations"\n`,
  );
  const wrangler = (...args: string[]) =>
    spawnSync(path.join(migrationsDir, "../node_modules/.bin/wrangler"), ["d1", ...args, "--local"], {
      cwd: dir,
      encoding: "utf8",
      env: { ...process.env, CI: "true", WRANGLER_SEND_METRICS: "false" },
    });
  return {
    wrangler,
    copy(keep: (file: string) => boolean) {
      for (const f of files.filter(keep)) copyFileSync(path.join(migrationsDir, f), path.join(dir, "migrations", f));
    },
    tables() {
      const out = wrangler(
        "execute",
        "DB",
        "--json",
        "--command",
        "SELECT name FROM sqlite_master WHERE type = 'table'",
      );
      return (JSON.parse(out.stdout) as { results: { name: string }[] }[])[0]!.results.map((r) => r.name);
    },
    dispose: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** A migration as D1 applies one: in a transaction, rolled back whole when a statement fails. */
export function applyAsD1(db: DatabaseSync, file: string) {
  db.exec("BEGIN");
  try {
    applyMigration(db, file);
    db.exec("COMMIT");
  } catch (err) {
    db.exec("ROLLBACK");
    throw err;
  }
}

/** The names of the database's tables. */
export const tablesOf = (db: DatabaseSync) =>
  (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]).map((r) => r.name);

/** A user, a channel and a video, written through wrangler before a guarded migration's pending rows. */
const ONE_VIDEO = [
  "INSERT INTO users (id, email, username, password_hash) VALUES ('u1', 'u1@example.com', 'u1', 'x')",
  "INSERT INTO channels (id, owner_id, name) VALUES ('c1', 'u1', 'Channel')",
  "INSERT INTO videos (id, channel_id, owner_id, title, status, tags) VALUES ('v1', 'c1', 'u1', 'v1', 'ready', '[]')",
];

/**
 * A migration that drops tables behind a guard, through wrangler's local D1 (the command a
 * deployment runs remotely): with the migrations before `drop` applied and `pending` rows
 * written (after user u1, channel c1 and video v1), `drop` is refused naming `constraint`,
 * and D1 rolls it back whole (`dropped` all there, `guardTable` not); once `clear` has run,
 * the same migration goes through, `dropped` gone and `kept` still there.
 */
export function expectGuardThroughWrangler(g: {
  name: string;
  drop: string;
  pending: string[];
  constraint: string;
  dropped: string[];
  guardTable?: string;
  clear: string[];
  kept: string;
}) {
  const d1 = wranglerD1(g.name);
  try {
    d1.copy((f) => f < g.drop);
    expect(d1.wrangler("migrations", "apply", "DB").status).toBe(0);
    expect(d1.wrangler("execute", "DB", "--command", [...ONE_VIDEO, ...g.pending].join("; ")).status).toBe(0);
    d1.copy((f) => f === g.drop);
    const refused = d1.wrangler("migrations", "apply", "DB");
    expect(refused.status).not.toBe(0);
    expect(`${refused.stdout}${refused.stderr}`).toContain(g.constraint);
    expect(d1.tables()).toEqual(expect.arrayContaining(g.dropped));
    if (g.guardTable) expect(d1.tables()).not.toContain(g.guardTable);
    expect(d1.wrangler("execute", "DB", "--command", g.clear.join("; ")).status).toBe(0);
    expect(d1.wrangler("migrations", "apply", "DB").status).toBe(0);
    const left = d1.tables();
    for (const table of g.dropped) expect(left).not.toContain(table);
    expect(left).toContain(g.kept);
  } finally {
    d1.dispose();
  }
}
