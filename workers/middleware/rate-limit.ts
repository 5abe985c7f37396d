import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../env";
import { problem } from "../lib/errors";

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

/**
 * Counts the request against `rule` for its caller. Run after optionalAuth/requireAuth so a
 * signed-in user is counted as themself rather than as their address.
 */
export function rateLimit(rule: RateRule) {
  return createMiddleware<AppEnv>(async (c, next) => {
    const key = `${rule.name}:${callerKey(c)}`;
    const stub = c.env.RATE_LIMITER.get(c.env.RATE_LIMITER.idFromName(key));
    // RATE_LIMIT_SCALE lets local load tests and benchmarks raise every limit at once.
    const limit = Math.max(1, Math.round(rule.limit * (Number(c.env.RATE_LIMIT_SCALE) || 1)));
    const result = await stub.hit(limit, rule.windowSeconds);
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
