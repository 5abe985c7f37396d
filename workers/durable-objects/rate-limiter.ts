import { DurableObject } from "cloudflare:workers";

export interface RateLimitResult {
  allowed: boolean;
  limit: number;
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
 */
export class RateLimiter extends DurableObject<Env> {
  private windowStart = 0;
  private count = 0;

  /** Counts one hit against `limit` per `windowSeconds` and says whether it may pass. */
  async hit(limit: number, windowSeconds: number): Promise<RateLimitResult> {
    const now = Date.now();
    const windowMs = windowSeconds * 1000;
    const start = now - (now % windowMs);
    if (start !== this.windowStart) {
      this.windowStart = start;
      this.count = 0;
    }
    const reset = Math.max(1, Math.ceil((start + windowMs - now) / 1000));
    if (this.count >= limit) return { allowed: false, limit, remaining: 0, reset };
    this.count++;
    return { allowed: true, limit, remaining: limit - this.count, reset };
  }
}
