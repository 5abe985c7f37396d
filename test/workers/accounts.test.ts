import { describe, expect, it } from "vitest";
import app from "../../workers/app";
import { api, captureLogs, expectProblem, registerUser } from "./fixtures";

describe("accounts", () => {
  it("registers a user who owns a channel and can sign in", async () => {
    const user = await registerUser();
    expect(user.token).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);

    const me = await api("/api/v1/users/me", { as: user });
    expect(me.status).toBe(200);
    const body = (await me.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ id: user.id, username: user.username, email: user.email, history_paused: false });
    expect(body).not.toHaveProperty("password_hash");

    const channel = await api(`/api/v1/channels/${body.channel_id}`);
    expect(channel.status).toBe(200);
    expect(await channel.json()).toEqual({
      id: body.channel_id,
      name: user.username,
      owner_id: user.id,
      verified: false,
      subscriber_count: 0,
      video_count: 0,
    });

    const login = await api("/api/v1/auth/login", {
      method: "POST",
      json: { email: user.email.toUpperCase(), password: user.password },
    });
    expect(login.status).toBe(200);
    const session = (await login.json()) as { user: { id: string }; token: string };
    expect(session.user.id).toBe(user.id);
    expect((await api("/api/v1/users/me", { as: { token: session.token } })).status).toBe(200);
  });

  it("answers X-Request-Id and logs nothing of internals in a 404", async () => {
    const logs = captureLogs();
    const res = await api("/api/v1/channels/nope");
    await expectProblem(res, 404, "not_found");
    const requestId = res.headers.get("X-Request-Id");
    expect(requestId).toBeTruthy();
    // One request line naming the request, and nothing about how the server failed to find it.
    expect(logs.lines()).toEqual([
      {
        level: "info",
        msg: "request",
        request_id: requestId,
        method: "GET",
        path: "/api/v1/channels/nope",
        status: 404,
        duration_ms: expect.any(Number),
      },
    ]);
  });

  it("logs writes and failures but not successful reads by default (LOG_REQUESTS=writes)", async () => {
    const logs = captureLogs("writes");
    const user = await registerUser();
    expect((await api("/api/v1/users/me", { as: user })).status).toBe(200);
    await expectProblem(await api("/api/v1/channels/nope"), 404, "not_found");
    const lines = logs.lines().map((l) => `${l.method} ${l.path} ${l.status}`);
    expect(lines).toEqual(["POST /api/v1/auth/register 201", "GET /api/v1/channels/nope 404"]);
  });

  it("documents every public API route it serves, and serves every route it documents", async () => {
    const res = await api("/api/v1/openapi.json");
    expect(res.status).toBe(200);
    const doc = (await res.json()) as { openapi: string; paths: Record<string, Record<string, unknown>> };
    expect(doc.openapi).toBe("3.1.0");
    const documented = Object.entries(doc.paths).flatMap(([path, item]) =>
      Object.keys(item).map((method) => `${method.toUpperCase()} ${path}`),
    );
    // The document and its viewer describe the API; they are not part of it.
    const selfDescribing = new Set(["/api/v1/openapi.json", "/api/docs"]);
    const served = app.routes
      .filter((r) => r.method !== "ALL" && r.path.startsWith("/api/") && !selfDescribing.has(r.path))
      .map((r) => `${r.method} ${r.path.replace(/:(\w+)/g, "{$1}")}`);
    expect([...new Set(served)].sort()).toEqual([...new Set(documented)].sort());

    const docs = await api("/api/docs");
    expect(docs.status).toBe(200);
    expect(await docs.text()).toContain("/api/v1/openapi.json");
  });
});
