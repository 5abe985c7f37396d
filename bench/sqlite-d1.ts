// A D1 binding over Node's `node:sqlite` (the SQLite of the local D1), enough of it for the
// local analytics store and for drizzle's D1 driver: prepare, bind, all, raw, first, run and
// batch (one transaction). A benchmark fills and reads a store of millions of rows in seconds
// without the runtime around it; a test runs the Worker's own storage functions over it, with
// every statement prepared recorded in `sent`, and asks SQLite how it planned each.
import type { DatabaseSync, SQLInputValue } from "node:sqlite";

const reads = (sql: string) => /^\s*(SELECT|WITH|VALUES)\b/i.test(sql) || /\bRETURNING\b/i.test(sql);

export function sqliteD1(db: DatabaseSync, sent: string[] = []): D1Database {
  const exec = (sql: string, args: SQLInputValue[]) => {
    if (reads(sql)) return { results: db.prepare(sql).all(...args), success: true, meta: { changes: 0 } };
    const meta = db.prepare(sql).run(...args);
    return { results: [], success: true, meta: { changes: Number(meta.changes) } };
  };
  const statement = (sql: string, args: SQLInputValue[] = []) => ({
    bind: (...values: SQLInputValue[]) => statement(sql, values),
    all: async () => exec(sql, args),
    run: async () => exec(sql, args),
    raw: async () => (exec(sql, args).results as Record<string, unknown>[]).map((row) => Object.values(row)),
    first: async (column?: string) => {
      const row = exec(sql, args).results[0] as Record<string, unknown> | undefined;
      return column ? (row?.[column] ?? null) : (row ?? null);
    },
    exec_: () => exec(sql, args),
  });
  return {
    prepare: (sql: string) => {
      sent.push(sql);
      return statement(sql);
    },
    async batch(statements: ReturnType<typeof statement>[]) {
      db.exec("BEGIN");
      try {
        const results = statements.map((s) => s.exec_());
        db.exec("COMMIT");
        return results;
      } catch (err) {
        db.exec("ROLLBACK");
        throw err;
      }
    },
  } as unknown as D1Database;
}
