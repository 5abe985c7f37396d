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

/**
 * A fixed-window counter, one object per (rule, caller) pair so that no object sees more
 * than one caller's traffic. The Workers rate-limit binding answers only allowed/denied;
 * clients here are promised `RateLimit-Remaining` and `RateLimit-Reset`, which need the
 * count, hence an object. The count lives in memory: if the object is evicted mid-window
 * the caller gets a fresh window, which errs on the side of serving.
 *
 * Callers take hits in batches (middleware/rate-limit.ts keeps a lease per isolate), so a
 * busy caller costs this object one call per batch, not one per request; the object never
 * grants more than the limit, whoever asks.
 */
export class RateLimiter extends DurableObject<Env> {
  private windowStart = 0;
  private count = 0;

  /** Grants up to `want` hits of `limit` per `windowSeconds`, as many as the window has left. */
  async take(limit: number, windowSeconds: number, want = 1): Promise<RateLimitGrant> {
    const now = Date.now();
    const windowMs = windowSeconds * 1000;
    const start = now - (now % windowMs);
    if (start !== this.windowStart) {
      this.windowStart = start;
      this.count = 0;
    }
    const reset = Math.max(1, Math.ceil((start + windowMs - now) / 1000));
    const granted = Math.max(0, Math.min(Math.max(1, Math.floor(want)), limit - this.count));
    this.count += granted;
    return { granted, limit, remaining: limit - this.count, reset };
  }
}
