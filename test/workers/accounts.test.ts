import { describe, expect, it } from "vitest";
import { api, registerUser } from "./fixtures";

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
    const res = await api("/api/v1/channels/nope");
    expect(res.status).toBe(404);
    expect(res.headers.get("Content-Type")).toBe("application/problem+json");
    expect(res.headers.get("X-Request-Id")).toBeTruthy();
    expect(await res.json()).toMatchObject({ status: 404, code: "not_found" });
  });

  it("serves an OpenAPI 3.1 document with the routes", async () => {
    // Header names are case-insensitive; the document spells them as Hono sees them.
    const res = await api("/api/v1/openapi.json");
    expect(res.status).toBe(200);
    const doc = (await res.json()) as { openapi: string; paths: Record<string, unknown> };
    expect(doc.openapi).toBe("3.1.0");
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        "/api/v1/auth/register",
        "/api/v1/auth/login",
        "/api/v1/users/me",
        "/api/v1/channels/{channel_id}",
        "/api/v1/videos/upload/initiate",
        "/api/v1/videos/upload/{upload_id}/chunk",
        "/api/v1/videos/upload/{upload_id}",
        "/api/v1/videos/upload/{upload_id}/complete",
        "/api/v1/uploads/tus",
        "/api/v1/videos/{video_id}",
        "/api/v1/videos/{video_id}/status",
        "/api/v1/videos/{video_id}/watch-position",
        "/api/v1/videos/{video_id}/like",
        "/api/v1/videos/{video_id}/share",
        "/api/v1/users/me/notifications",
        "/api/v1/users/me/watch-history",
        "/api/v1/users/me/watch-history/paused",
      ]),
    );
    const docs = await api("/api/docs");
    expect(docs.status).toBe(200);
    expect(await docs.text()).toContain("/api/v1/openapi.json");
  });
});
