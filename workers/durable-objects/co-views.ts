import { CO_VIEW_HALF_LIFE_MS, type CoViewPair } from "../storage/signals";
import { RecentIds } from "./room-hours";

/** Pairs a room keeps: twice what "up next" reads (100), so a trim never cuts into a list. */
export const CO_VIEWS_KEPT = 200;
/** The table is trimmed back to CO_VIEWS_KEPT once it holds this many. */
const TRIM_AT = 250;

/** log2(2^a + 2^b) without leaving the range of a double (a and b are about 3,000). */
export function addLogs(a: number, b: number): number {
  const hi = Math.max(a, b);
  return hi + Math.log2(1 + 2 ** -Math.abs(a - b));
}

/** log2(2^a - 2^b) for a > b: what is left of a log-sum once `b` is taken out of it. */
export function subtractLogs(a: number, b: number): number {
  return a + Math.log2(1 - 2 ** (b - a));
}

/**
 * A video's co-views in its room's own SQLite (issue 23: the shared D1 table grew 7.5 GB a day
 * at 10 million views): the videos its viewers watched within 24 hours of it, each with a
 * count in which every co-view halves every CO_VIEW_HALF_LIFE_MS.
 *
 * A count is stored as its log at a fixed origin, k = log2(sum over co-views of 2^(t / H)):
 * the count at `now` is 2^(k - now / H). Decay is then a shift every row shares, so the order
 * by k is the order by count at any time and one index serves the top and the trim; a co-view
 * adds exactly the same whatever order events arrive in. Only the top CO_VIEWS_KEPT pairs are
 * kept (older and rarer ones go first), and each event counts once while the room is in
 * memory (room-hours.ts `RecentIds`), so the queue can redeliver it.
 */
export class CoViewTable {
  private readonly recent = new RecentIds();

  constructor(
    private readonly sql: SqlStorage,
    private readonly halfLife = CO_VIEW_HALF_LIFE_MS,
  ) {
    sql.exec(`CREATE TABLE IF NOT EXISTS co_views (other TEXT PRIMARY KEY, k REAL NOT NULL) WITHOUT ROWID;
      CREATE INDEX IF NOT EXISTS co_views_k ON co_views (k);`);
  }

  /** The log-count of one co-view at `at`. */
  private one(at: number): number {
    return at / this.halfLife;
  }

  /**
   * One co-view with each of `others` at `at`, for the event `eventId`: answers the log-count
   * added to the video's total (one per pair), or undefined when the event was counted already.
   */
  add(others: readonly string[], at: number, eventId: string): number | undefined {
    const unique = [...new Set(others)];
    if (!unique.length || !this.recent.add(eventId)) return undefined;
    const one = this.one(at);
    for (const other of unique) this.keep(other, one);
    this.trim();
    return one + Math.log2(unique.length);
  }

  /** Adds the log-count `k` to `other`'s. */
  private keep(other: string, k: number): void {
    const row = this.sql.exec<{ k: number }>("SELECT k FROM co_views WHERE other = ?", other).toArray()[0];
    if (!row) this.sql.exec("INSERT INTO co_views (other, k) VALUES (?, ?)", other, k);
    else this.sql.exec("UPDATE co_views SET k = ? WHERE other = ?", addLogs(row.k, k), other);
  }

  private trim() {
    const n = this.sql.exec<{ n: number }>("SELECT count(*) AS n FROM co_views").one().n;
    if (n < TRIM_AT) return;
    this.sql.exec(
      "DELETE FROM co_views WHERE other IN (SELECT other FROM co_views ORDER BY k LIMIT ?)",
      n - CO_VIEWS_KEPT,
    );
  }

  /** The `limit` most co-viewed videos, with their counts as of `now`. */
  top(limit: number, now: number): CoViewPair[] {
    const origin = this.one(now);
    return this.sql
      .exec<{ other: string; k: number }>("SELECT other, k FROM co_views ORDER BY k DESC LIMIT ?", limit)
      .toArray()
      .map((r) => ({ otherId: r.other, score: 2 ** (r.k - origin) }));
  }
}
