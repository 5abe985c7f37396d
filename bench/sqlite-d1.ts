// The part of a D1 binding the local analytics store calls (prepare, bind, all, run, first,
// batch), over Node's `node:sqlite`: the same SQLite as the local D1, without the runtime
// around it, so a benchmark can fill and read a store of millions of rows in seconds.
import type { DatabaseSync, SQLInputValue } from "node:sqlite";

export function sqliteD1(db: DatabaseSync): D1Database {
  const statement = (sql: string, args: SQLInputValue[] = []) => ({
    bind: (...values: SQLInputValue[]) => statement(sql, values),
    all: async () => ({ results: db.prepare(sql).all(...args), success: true, meta: {} }),
    run: async () => ({ results: [], success: true, meta: db.prepare(sql).run(...args) }),
    first: async (column?: string) => {
      const row = db.prepare(sql).get(...args) as Record<string, unknown> | undefined;
      return column ? (row?.[column] ?? null) : (row ?? null);
    },
    run_: () => db.prepare(sql).run(...args),
  });
  return {
    prepare: (sql: string) => statement(sql),
    async batch(statements: ReturnType<typeof statement>[]) {
      db.exec("BEGIN");
      try {
        const results = statements.map((s) => s.run_());
        db.exec("COMMIT");
        return results.map((meta) => ({ results: [], success: true, meta }));
      } catch (err) {
        db.exec("ROLLBACK");
        throw err;
      }
    },
  } as unknown as D1Database;
}
