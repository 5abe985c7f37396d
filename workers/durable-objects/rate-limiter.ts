import { DurableObject } from "cloudflare:workers";

export interface RateLimitGrant {
  /** Hits granted now, 0 to `want` (0: the caller is over the limit until `reset`). */
  granted: number;
  limit: number;
  /** Hits left in the window after this grant. */
  remaining: number;
  /** Seconds until the window resets. */
  reset: number;
}

/** One caller's fixed window. */
interface Window {
  start: number;
  count: number;
}

/** Past this many callers an object drops the windows that have ended before adding one. */
const SWEEP_AT = 4096;

/**
 * Fixed-window counters for one rule and one shard of its callers: the middleware sends a
 * caller to `{rule}:s{fnv1a(caller) % RATE_LIMIT_SHARDS}`, so a rule costs a bounded number of
 * objects, not one per caller. One object per caller was measured (docs/benchmarks.md, "Live
 * room") to cost the calling isolate per object reached: 17-35% of its CPU with 200 posting
 * accounts, 2.6% with one object per rule. A shard holds each caller's own window, so callers
 * never share a count.
 *
 * The Workers rate-limit binding answers only allowed/denied; clients here are promised
 * `RateLimit-Remaining` and `RateLimit-Reset`, which need the count, hence an object. Counts
 * live in memory: if the object is evicted mid-window its callers get a fresh window, which
 * errs on the side of serving.
 *
 * Callers take hits in batches (middleware/rate-limit.ts keeps a lease per isolate), so a
 * busy caller costs this object one call per batch, not one per request; the object never
 * grants a caller more than the limit, whoever asks.
 */
export class RateLimiter extends DurableObject<Env> {
  private windows = new Map<string, Window>();

  /**
   * Grants `caller` up to `want` hits of `limit` per `windowSeconds`, as many as its window
   * has left.
   */
  async take(limit: number, windowSeconds: number, want = 1, caller = ""): Promise<RateLimitGrant> {
    const now = Date.now();
    const windowMs = windowSeconds * 1000;
    const start = now - (now % windowMs);
    let window = this.windows.get(caller);
    if (!window || window.start !== start) {
      if (!window && this.windows.size >= SWEEP_AT) {
        for (const [key, w] of this.windows) if (w.start !== start) this.windows.delete(key);
      }
      window = { start, count: 0 };
      this.windows.set(caller, window);
    }
    const reset = Math.max(1, Math.ceil((start + windowMs - now) / 1000));
    const granted = Math.max(0, Math.min(Math.max(1, Math.floor(want)), limit - window.count));
    window.count += granted;
    return { granted, limit, remaining: limit - window.count, reset };
  }

  /** Callers with a window held (for tests and the sweep's bound). */
  async callers(): Promise<number> {
    return this.windows.size;
  }
}
