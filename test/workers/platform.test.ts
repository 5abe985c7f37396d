import { createExecutionContext, createScheduledController, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import apiDoc from "../../docs/api.md?raw";
import worker from "../../workers/index";
import { PROBLEM_CODES, PROBLEMS } from "../../workers/lib/errors";
import {
  admit,
  batchCap,
  DEFAULT_LIMITER_SHARDS,
  limiterShard,
  PENDING_WAIT_MS,
} from "../../workers/middleware/rate-limit";
import {
  api,
  catalogueVideo,
  expectProblem,
  freshIp,
  initiate,
  MiB,
  mp4Bytes,
  putPart,
  registerUser,
} from "./fixtures";

describe("rate limits", () => {
  it("answers 429 with Retry-After and RateLimit-* once a caller passes the login limit", async () => {
    const ip = freshIp();
    const attempt = () =>
      api("/api/v1/auth/login", {
        method: "POST",
        as: { ip },
        json: { email: "nobody@example.com", password: "wrong" },
      });
    const first = await attempt();
    expect(first.status).toBe(401);
    expect(first.headers.get("RateLimit-Limit")).toBe("20");
    expect(first.headers.get("RateLimit-Remaining")).toBe("19");
    for (let i = 1; i < 20; i++) await attempt();
    const limited = await attempt();
    expect(limited.status).toBe(429);
    expect(limited.headers.get("Content-Type")).toBe("application/problem+json");
    expect(Number(limited.headers.get("Retry-After"))).toBeGreaterThan(0);
    expect(limited.headers.get("RateLimit-Remaining")).toBe("0");
    expect(await limited.json()).toMatchObject({ status: 429, code: "rate_limited" });
    // Another address is not affected.
    expect(
      (await api("/api/v1/auth/login", { method: "POST", json: { email: "nobody@example.com", password: "x" } }))
        .status,
    ).toBe(401);
  });
});

describe("rate limits in batches", () => {
  /** The caller's real RateLimiter object, with its calls counted. */
  function limiter(limit: number) {
    const key = `batch-test:${freshIp()}`;
    const stub = env.RATE_LIMITER.get(env.RATE_LIMITER.idFromName(key));
    const counted = {
      key,
      calls: 0,
      take: (want: number) => {
        counted.calls++;
        return stub.take(limit, 60, want);
      },
    };
    return counted;
  }

  it("costs a busy caller one Durable Object call per batch, counts down by one, and never passes the limit", async () => {
    const l = limiter(1000);
    const results = [];
    for (let i = 0; i < 1100; i++) results.push(await admit(l.take, l.key, 1000));
    expect(results.filter((r) => r.allowed)).toHaveLength(1000);
    expect(results.slice(0, 1000).map((r) => r.remaining)).toEqual(Array.from({ length: 1000 }, (_, i) => 999 - i));
    expect(results.slice(1000).every((r) => !r.allowed && r.remaining === 0 && r.reset > 0)).toBe(true);
    // Batches of 1, 2, 4, ... up to 50, then the refusal is remembered for the window: 26 calls, not 1,100.
    expect(batchCap(1000)).toBe(50);
    expect(l.calls).toBe(26);
  });

  it("makes concurrent requests wait for the one call in flight instead of each asking", async () => {
    const l = limiter(600);
    const results = await Promise.all(Array.from({ length: 200 }, () => admit(l.take, l.key, 600)));
    expect(results.every((r) => r.allowed)).toBe(true);
    expect(new Set(results.map((r) => r.remaining)).size).toBe(200);
    expect(l.calls).toBeLessThan(15);
  });

  it("keeps each caller's own window in a shared shard object, and spreads callers over the shards", async () => {
    const shard = env.RATE_LIMITER.get(env.RATE_LIMITER.idFromName(`shard-test:${freshIp()}`));
    const a = [];
    for (let i = 0; i < 4; i++) a.push(await shard.take(3, 60, 1, "u:a"));
    expect(a.map((g) => g.granted)).toEqual([1, 1, 1, 0]);
    // Another caller of the same object starts with its whole limit.
    expect(await shard.take(3, 60, 5, "u:b")).toMatchObject({ granted: 3, remaining: 0 });
    expect(await shard.callers()).toBe(2);

    const names = new Set(Array.from({ length: 400 }, (_, i) => limiterShard("comment", `u:${i}`, 16)));
    expect(names.size).toBe(16);
    expect([...names].every((n) => /^comment:s(\d|1[0-5])$/.test(n))).toBe(true);
    expect(limiterShard("comment", "u:1", 16)).toBe(limiterShard("comment", "u:1", 16));
    // A missing or bad setting falls back to the default count.
    expect(limiterShard("comment", "u:1", Number.NaN)).toBe(limiterShard("comment", "u:1", DEFAULT_LIMITER_SHARDS));
  });

  it("does not wait for ever on a call that another, canceled request made", async () => {
    const l = limiter(600);
    // The first request's call never settles (its client went away and the runtime cancelled it).
    let calls = 0;
    const take = (want: number) => (calls++ === 0 ? new Promise<never>(() => {}) : l.take(want));
    void admit(take, l.key, 600);
    const started = Date.now();
    const results = await Promise.all(Array.from({ length: 5 }, () => admit(take, l.key, 600)));
    expect(results.every((r) => r.allowed)).toBe(true);
    // They waited on it about PENDING_WAIT_MS, then asked the object themselves (one call, shared).
    expect(Date.now() - started).toBeGreaterThanOrEqual(PENDING_WAIT_MS - 50);
    expect(Date.now() - started).toBeLessThan(PENDING_WAIT_MS * 3);
    expect(l.calls).toBeLessThanOrEqual(3);
    // And the key is not stuck for the requests after them.
    expect((await admit(take, l.key, 600)).allowed).toBe(true);
  });

  it("counts a small limit one hit at a time", async () => {
    const l = limiter(20);
    for (let i = 0; i < 25; i++) await admit(l.take, l.key, 20);
    expect(batchCap(20)).toBe(1);
    expect(l.calls).toBe(21);
  });
});

describe("errors", () => {
  it("answers 405 with Allow for a known path under another method", async () => {
    const res = await api("/api/v1/auth/register", { method: "GET" });
    expect(res.status).toBe(405);
    expect(res.headers.get("Allow")).toBe("POST");
    expect(await res.json()).toMatchObject({ code: "method_not_allowed" });
  });

  it("answers 404 problem+json for an unknown path", async () => {
    const res = await api("/api/v1/nothing-here");
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ code: "not_found", status: 404 });
  });

  it("answers only codes of the problem catalogue, which the OpenAPI document and docs/api.md list", async () => {
    const doc = (await (await api("/api/v1/openapi.json")).json()) as {
      components: { schemas: { Problem: { properties: { code: { enum: string[] } } } } };
    };
    expect(doc.components.schemas.Problem.properties.code.enum.sort()).toEqual([...PROBLEM_CODES].sort());
    // docs/api.md's table: | `code` | status | title | when | (Biome pads its columns)
    const rows = [...apiDoc.matchAll(/^\| `([a-z_]+)` *\| (\d{3}) *\| ([^|]+)\|/gm)].map(([, code, status, title]) => [
      code,
      Number(status),
      title?.trim(),
    ]);
    expect(rows.sort()).toEqual(
      Object.entries(PROBLEMS)
        .map(([code, p]) => [code, p.status, p.title])
        .sort(),
    );
    // A malformed JSON body (Hono's own refusal) is a catalogue problem too, not a bare 400.
    const malformed = await api("/api/v1/auth/login", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: "{not json",
    });
    expect(malformed.status).toBe(400);
    expect(await malformed.json()).toMatchObject({ code: "validation_failed", title: "Validation failed" });
  });

  it("answers CORS preflights for players and uploaders on other origins", async () => {
    const res = await api("/api/v1/videos/upload/initiate", {
      method: "OPTIONS",
      headers: { Origin: "https://elsewhere.example", "Access-Control-Request-Method": "POST" },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get("Access-Control-Allow-Origin")).toBe("*");
    expect(res.headers.get("Access-Control-Allow-Headers")).toContain("Authorization");
  });
});

describe("lists", () => {
  it("clamp a limit over their cap instead of refusing it, and refuse one below 1", async () => {
    const user = await registerUser();
    const videoId = await catalogueVideo(user, { title: "A list of one" });
    const comment = await api(`/api/v1/videos/${videoId}/comments`, {
      method: "POST",
      as: user,
      json: { content: "hi" },
    });
    const { id: commentId } = (await comment.json()) as { id: string };
    const lists: [string, number][] = [
      [`/api/v1/videos/${videoId}/comments`, 100],
      [`/api/v1/comments/${commentId}/replies`, 100],
      ["/api/v1/search?q=anything", 100],
      ["/api/v1/videos/trending", 100],
      ["/api/v1/recommendations", 50],
      [`/api/v1/videos/${videoId}/related`, 50],
      [`/api/v1/channels/${user.channel_id}/videos`, 100],
      ["/api/v1/users/me/watch-history", 100],
      ["/api/v1/users/me/subscriptions", 100],
      ["/api/v1/users/me/notifications", 100],
    ];
    for (const [path, cap] of lists) {
      const join = path.includes("?") ? "&" : "?";
      const big = await api(`${path}${join}limit=1000`, { as: user });
      expect(big.status, path).toBe(200);
      expect(((await big.json()) as { limit: number }).limit, path).toBe(cap);
      await expectProblem(await api(`${path}${join}limit=0`, { as: user }), 400, "validation_failed");
    }
  });
});

describe("accounts: bad input", () => {
  it.each([
    [{ email: "not-an-email", username: "valid_name", password: "longenough" }, "email"],
    [{ email: "a@example.com", username: "x", password: "longenough" }, "username"],
    [{ email: "a@example.com", username: "bad name!", password: "longenough" }, "username"],
    [{ email: "a@example.com", username: "valid_name", password: "short" }, "password"],
    [{ username: "valid_name", password: "longenough" }, "email"],
  ])("refuses %j naming %s", async (body, field) => {
    const res = await api("/api/v1/auth/register", { method: "POST", json: body });
    expect(res.status).toBe(400);
    const problem = (await res.json()) as { code: string; invalid_params: { name: string }[] };
    expect(problem.code).toBe("validation_failed");
    expect(problem.invalid_params.map((p) => p.name)).toContain(field);
  });

  it("refuses a taken email or username with 409", async () => {
    const user = await registerUser();
    const sameEmail = await api("/api/v1/auth/register", {
      method: "POST",
      json: { email: user.email.toUpperCase(), username: `${user.username}x`, password: "longenough" },
    });
    expect(sameEmail.status).toBe(409);
    expect(await sameEmail.json()).toMatchObject({ code: "email_taken" });
    const sameName = await api("/api/v1/auth/register", {
      method: "POST",
      json: { email: `x${user.email}`, username: user.username, password: "longenough" },
    });
    expect(sameName.status).toBe(409);
    expect(await sameName.json()).toMatchObject({ code: "username_taken" });
  });

  it("refuses a wrong password and an unknown email alike", async () => {
    const user = await registerUser();
    for (const body of [
      { email: user.email, password: "wrong password" },
      { email: "ghost@example.com", password: user.password },
    ]) {
      const res = await api("/api/v1/auth/login", { method: "POST", json: body });
      expect(res.status).toBe(401);
      expect(await res.json()).toMatchObject({ code: "invalid_credentials" });
    }
  });

  it("refuses a malformed Authorization header and an expired token", async () => {
    const bad = await api("/api/v1/users/me", { headers: { Authorization: "Token abc" } });
    expect(bad.status).toBe(401);
    expect(bad.headers.get("WWW-Authenticate")).toBe("Bearer");
    const { sign } = await import("hono/jwt");
    const expired = await sign({ sub: "someone", username: "x", iat: 1, exp: 2 }, env.JWT_SECRET, "HS256");
    const res = await api("/api/v1/users/me", { as: { token: expired } });
    expect(res.status).toBe(401);
  });
});

describe("cron: expired uploads", () => {
  it("aborts uploads past expires_at and leaves fresh ones", async () => {
    const user = await registerUser();
    const stale = await initiate(user, { size: 6 * MiB });
    const fresh = await initiate(user, { size: 6 * MiB });
    expect((await putPart(user, stale.body.upload_id, 1, mp4Bytes(6 * MiB))).status).toBe(200);
    await env.DB.prepare("UPDATE uploads SET expires_at = ? WHERE id = ?")
      .bind(Date.now() - 1, stale.body.upload_id)
      .run();
    const { r2_upload_id } = (await env.DB.prepare("SELECT r2_upload_id FROM uploads WHERE id = ?")
      .bind(stale.body.upload_id)
      .first<{ r2_upload_id: string }>())!;

    const ctx = createExecutionContext();
    worker.scheduled(createScheduledController({ cron: "*/5 * * * *", scheduledTime: Date.now() }), env, ctx);
    await waitOnExecutionContext(ctx);

    expect(await env.DB.prepare("SELECT id FROM uploads WHERE id = ?").bind(stale.body.upload_id).first()).toBeNull();
    expect(await env.DB.prepare("SELECT id FROM videos WHERE id = ?").bind(stale.body.video_id).first()).toBeNull();
    expect(
      await env.DB.prepare("SELECT id FROM uploads WHERE id = ?").bind(fresh.body.upload_id).first(),
    ).not.toBeNull();
    // The R2 multipart upload is aborted too: it takes no more parts.
    const multipart = env.MEDIA.resumeMultipartUpload(
      `videos/${stale.body.video_id}/source/original.mp4`,
      r2_upload_id,
    );
    await expect(multipart.uploadPart(2, mp4Bytes(5 * MiB))).rejects.toThrow();
  });
});
