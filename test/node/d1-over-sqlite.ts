// A D1 binding over Node's `node:sqlite` (the SQLite of the local D1), enough of it for drizzle's
// D1 driver: prepare, bind, all, raw, first, run and batch (one transaction), each statement
// recorded, so that a test can run the Worker's own storage functions and then ask SQLite how
// it planned every statement they sent.
// Typechecked with Worker and Node types together (test/node-worker.tsconfig.json), as are the
// node tests that run the Worker's own storage modules over it (node/*.worker.test.ts).
import type { DatabaseSync, SQLInputValue } from "node:sqlite";

const reads = (sql: string) => /^\s*(SELECT|WITH|VALUES)\b/i.test(sql) || /\bRETURNING\b/i.test(sql);

export function d1OverSqlite(db: DatabaseSync, sent: string[] = []): D1Database {
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
