import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../env";
import { problem } from "../lib/errors";
import { fnv1a } from "../lib/hash";

export interface RateRule {
  /** Names the rule; callers are counted per rule. */
  name: string;
  limit: number;
  windowSeconds: number;
}

/** Limits named in one place so the README's table and the code cannot drift apart. */
export const RATE_RULES = {
  global: { name: "global", limit: 600, windowSeconds: 60 },
  register: { name: "register", limit: 10, windowSeconds: 3600 },
  login: { name: "login", limit: 20, windowSeconds: 300 },
  uploadInitiate: { name: "upload-initiate", limit: 30, windowSeconds: 3600 },
  uploadPart: { name: "upload-part", limit: 2000, windowSeconds: 60 },
  comment: { name: "comment", limit: 10, windowSeconds: 60 },
  // A search costs a few D1 round trips; suggestions (one per keystroke) ride the global limit.
  search: { name: "search", limit: 120, windowSeconds: 60 },
  report: { name: "report", limit: 30, windowSeconds: 3600 },
  // A transcription costs minutes of the engine per video.
  captionsGenerate: { name: "captions-generate", limit: 20, windowSeconds: 3600 },
  // Player beacons: a playing tab sends a batch every 30 s and on hide; 60 a minute leaves room
  // for a household's players behind one address, and bounds what one caller writes to the sink.
  playbackEvents: { name: "playback-events", limit: 60, windowSeconds: 60 },
  // The studio's analytics: each read is nine queries of the analytics store (in production,
  // requests to Analytics Engine's SQL API, billed per query past the included million).
  analytics: { name: "analytics", limit: 60, windowSeconds: 60 },
} satisfies Record<string, RateRule>;

/** The client's address as Cloudflare saw it ("local" in tests and dev without one). */
export const clientIp = (request: Request) => request.headers.get("CF-Connecting-IP") ?? "local";

/** The caller's identity for limits: the user when signed in, else the client address. */
function callerKey(c: {
  get(key: "user"): AppEnv["Variables"]["user"];
  req: { header(name: string): string | undefined };
}) {
  const user = c.get("user");
  if (user) return `u:${user.id}`;
  return `ip:${c.req.header("CF-Connecting-IP") ?? "local"}`;
}

export interface RateLimitResult {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** Seconds until the window resets. */
  reset: number;
}

/**
 * Hits this isolate holds for a caller and rule: taken from the caller's `RateLimiter` object
 * in batches and spent here, so that a busy caller costs one Durable Object call per batch
 * rather than one per request (the object sits on the path of every API request otherwise).
 */
interface Lease {
  /** When the object's window ends, on this isolate's clock. */
  until: number;
  /** Hits granted and not yet spent here. */
  left: number;
  /** What the object had left after its last grant. */
  remaining: number;
  /** The batch asked for last; it doubles while the caller keeps coming back. */
  size: number;
  /** The object said no: refuse here until the window ends. */
  refused: boolean;
  /** A call to the object in flight; this isolate's other requests for the key wait for it. */
  pending?: Promise<void>;
}

const leases = new Map<string, Lease>();

/** How long a request waits on another request's call to the object before it calls it itself. */
export const PENDING_WAIT_MS = 1000;

/** Whether `promise` settles within `ms`: a timer of this request's own keeps it from waiting on another's I/O alone. */
function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  return Promise.race([
    promise.then(
      () => true,
      () => true,
    ),
    late,
  ]).finally(() => clearTimeout(timer));
}
const MAX_LEASES = 10_000;

/**
 * The largest batch: a twentieth of the limit, at most 50. A caller is refused at most that
 * many hits early per isolate and window (hits taken and not spent still count), and a rule
 * of 20 or fewer is counted one hit at a time, exactly.
 */
export const batchCap = (limit: number) => Math.max(1, Math.min(50, Math.floor(limit / 20)));

/** Counts one hit for `key`: from this isolate's lease, else from the caller's object. */
export async function admit(
  take: (want: number) => Promise<{ granted: number; remaining: number; reset: number }>,
  key: string,
  limit: number,
): Promise<RateLimitResult> {
  for (;;) {
    const now = Date.now();
    let lease = leases.get(key);
    if (lease && !lease.pending && now >= lease.until) {
      leases.delete(key);
      lease = undefined;
    }
    const reset = lease ? Math.max(1, Math.ceil((lease.until - now) / 1000)) : 1;
    if (lease && lease.left > 0) {
      lease.left--;
      return { allowed: true, limit, remaining: lease.remaining + lease.left, reset };
    }
    if (lease?.pending) {
      const pending = lease.pending;
      if (await settlesWithin(pending, PENDING_WAIT_MS)) continue;
      // The request that called the object was canceled (its client went away) or is stuck: a
      // promise of its I/O may never settle in this one, and every request for the key would
      // wait on it for the isolate's life (workerd ends them as hung: a 500). This one calls
      // the object itself; a late grant to the old lease is lost (counted, never spent).
      if (leases.get(key) === lease && lease.pending === pending) leases.delete(key);
      continue;
    }
    if (lease?.refused) return { allowed: false, limit, remaining: 0, reset };
    const next: Lease = lease ?? { until: 0, left: 0, remaining: limit, size: 0, refused: false };
    next.size = Math.min(batchCap(limit), Math.max(1, next.size * 2));
    next.pending = take(next.size)
      .then((grant) => {
        next.until = Date.now() + grant.reset * 1000;
        next.left += grant.granted;
        next.remaining = grant.remaining;
        next.refused = grant.granted === 0;
      })
      .finally(() => {
        next.pending = undefined;
      });
    if (!lease) {
      if (leases.size >= MAX_LEASES) leases.clear();
      leases.set(key, next);
    }
    await next.pending;
  }
}

/** Limiter objects per rule when `RATE_LIMIT_SHARDS` is unset or not a positive integer. */
export const DEFAULT_LIMITER_SHARDS = 16;

/** The name of the `RateLimiter` object that counts `caller` under `rule`. */
export function limiterShard(rule: string, caller: string, shards: number) {
  const n = Number.isInteger(shards) && shards > 0 ? shards : DEFAULT_LIMITER_SHARDS;
  return `${rule}:s${fnv1a(caller) % n}`;
}

/**
 * Counts the request against `rule` for its caller. Run after optionalAuth/requireAuth so a
 * signed-in user is counted as themself rather than as their address.
 */
export function rateLimit(rule: RateRule) {
  return createMiddleware<AppEnv>(async (c, next) => {
    const caller = callerKey(c);
    const key = `${rule.name}:${caller}`;
    // RATE_LIMIT_SCALE lets local load tests and benchmarks raise every limit at once.
    const limit = Math.max(1, Math.round(rule.limit * (Number(c.env.RATE_LIMIT_SCALE) || 1)));
    const shard = limiterShard(rule.name, caller, Number(c.env.RATE_LIMIT_SHARDS));
    const result = await admit(
      (want) =>
        c.env.RATE_LIMITER.get(c.env.RATE_LIMITER.idFromName(shard)).take(limit, rule.windowSeconds, want, caller),
      key,
      limit,
    );
    const headers = {
      "RateLimit-Limit": String(result.limit),
      "RateLimit-Remaining": String(result.remaining),
      "RateLimit-Reset": String(result.reset),
    };
    if (!result.allowed) {
      throw problem("rate_limited", {
        detail: `Limit of ${limit} requests per ${rule.windowSeconds} s reached; retry in ${result.reset} s.`,
        headers: { ...headers, "Retry-After": String(result.reset) },
      });
    }
    await next();
    // An inner, stricter rule (login, upload) has already said its own numbers; keep them.
    if (c.res.headers.has("RateLimit-Limit")) return;
    for (const [name, value] of Object.entries(headers)) c.res.headers.set(name, value);
  });
}
