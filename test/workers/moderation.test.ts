import { createExecutionContext, createScheduledController, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import worker from "../../workers/index";
import { zonePurge } from "../../workers/wiring/edge-purge";
import { api, catalogueVideo, expectProblem, readyVideo, registerUser, row, SEGMENT, type TestUser } from "./fixtures";
import { join } from "./room-client";
import { stubTranscoder } from "./transcoder-stub";

stubTranscoder();

async function withRole(user: TestUser, role: "user" | "moderator" | "admin") {
  await env.DB.prepare("UPDATE users SET role = ? WHERE id = ?").bind(role, user.id).run();
  return user;
}
const moderator = async () => withRole(await registerUser(), "moderator");

const report = (as: TestUser, body: Record<string, unknown>) =>
  api("/api/v1/reports", { method: "POST", as, json: body });
const logLines = async (targetId: string) =>
  (
    await env.DB.prepare(
      "SELECT action, actor_id, reason, report_id FROM moderation_log WHERE target_id = ? ORDER BY created_at",
    )
      .bind(targetId)
      .all()
  ).results;
const block = (as: TestUser, videoId: string, reason = "Graphic violence") =>
  api(`/api/v1/moderation/videos/${videoId}/block`, { method: "POST", as, json: { reason } });

/** Signs in through the page form, as a browser does: the session cookie. */
async function cookieOf(user: TestUser) {
  const form = new URLSearchParams({ email: user.email, password: user.password, next: "/" });
  const res = await api("/login", {
    method: "POST",
    body: form,
    headers: { "Content-Type": "application/x-www-form-urlencoded", Origin: "http://cloudtube.test" },
    redirect: "manual",
  });
  expect(res.status).toBe(303);
  return res.headers.get("Set-Cookie")!.split(";")[0]!;
}

describe("roles", () => {
  it("says a user's role, lets an admin grant one, and applies it at the next request", async () => {
    const user = await registerUser();
    expect(await (await api("/api/v1/users/me", { as: user })).json()).toMatchObject({ role: "user" });
    await expectProblem(await api("/api/v1/moderation/reports", { as: user }), 403, "forbidden");
    const grant = (as: TestUser, role: string) =>
      api(`/api/v1/admin/users/${user.id}/role`, { method: "PUT", as, json: { role } });
    await expectProblem(await grant(user, "admin"), 403, "forbidden");
    await expectProblem(await grant(await moderator(), "moderator"), 403, "forbidden");

    const admin = await withRole(await registerUser(), "admin");
    const granted = await grant(admin, "moderator");
    expect(granted.status).toBe(200);
    expect(await granted.json()).toEqual({ id: user.id, username: user.username, role: "moderator" });
    // The same token: the role is read with the account on each request.
    expect((await api("/api/v1/moderation/reports", { as: user })).status).toBe(200);
    expect(await (await api("/api/v1/users/me", { as: user })).json()).toMatchObject({ role: "moderator" });
    expect(await logLines(user.id)).toEqual([
      expect.objectContaining({ action: "set_role", actor_id: admin.id, reason: "role: moderator" }),
    ]);
    await expectProblem(await grant(admin, "root"), 400, "validation_failed");
    await expectProblem(
      await api("/api/v1/admin/users/nosuchuser/role", { method: "PUT", as: admin, json: { role: "user" } }),
      404,
      "not_found",
    );
  });

  it("refuses every moderation route to a plain user (403), to a suspended moderator (401) and to no one (401)", async () => {
    const plain = await registerUser();
    const suspended = await moderator();
    await env.DB.prepare("UPDATE users SET suspended_until = ? WHERE id = ?")
      .bind(Date.now() + 3_600_000, suspended.id)
      .run();
    const routes: [string, string, unknown?][] = [
      ["GET", "/api/v1/moderation/reports"],
      ["POST", "/api/v1/moderation/reports/someid", { action: "dismiss" }],
      ["POST", "/api/v1/moderation/videos/someid/block", { reason: "x" }],
      ["DELETE", "/api/v1/moderation/videos/someid/block"],
      ["POST", "/api/v1/moderation/users/someid/suspension", { reason: "x" }],
      ["DELETE", "/api/v1/moderation/users/someid/suspension"],
      ["GET", "/api/v1/moderation/log"],
      ["PUT", "/api/v1/admin/users/someid/role", { role: "user" }],
    ];
    for (const [method, path, json] of routes) {
      await expectProblem(await api(path, { method, as: plain, json }), 403, "forbidden");
      await expectProblem(await api(path, { method, as: suspended, json }), 401, "account_suspended");
      await expectProblem(await api(path, { method, json }), 401, "unauthorized");
    }
  });
});

describe("reports", () => {
  it("files a report of a video, a comment or a user, once while it is pending", async () => {
    const owner = await registerUser();
    const reporter = await registerUser();
    const videoId = await catalogueVideo(owner, { title: "Reported video" });
    const comment = await api(`/api/v1/videos/${videoId}/comments`, {
      method: "POST",
      as: owner,
      json: { content: "A comment someone will report" },
    });
    const commentId = ((await comment.json()) as { id: string }).id;

    const first = await report(reporter, {
      target: { type: "video", id: videoId },
      reason: "violent_or_repulsive",
      message: "At 0:10",
      start_at: 10,
      end_at: 14.5,
    });
    expect(first.status).toBe(201);
    expect(await first.json()).toEqual({ id: expect.any(String), state: "pending", created_at: expect.any(String) });
    await expectProblem(
      await report(reporter, { target: { type: "video", id: videoId }, reason: "spam_or_misleading" }),
      409,
      "already_reported",
    );
    expect(
      (await report(reporter, { target: { type: "comment", id: commentId }, reason: "hateful_or_abusive" })).status,
    ).toBe(201);
    expect((await report(reporter, { target: { type: "user", id: owner.id }, reason: "other" })).status).toBe(201);

    const mine = (await (await api("/api/v1/users/me/reports", { as: reporter })).json()) as { items: any[] };
    expect(mine.items.map((r) => r.target.type).sort()).toEqual(["comment", "user", "video"]);
    expect(mine.items.find((r) => r.target.type === "video")).toMatchObject({
      state: "pending",
      outcome: null,
      start_at: 10,
      end_at: 14.5,
      message: "At 0:10",
    });
  });

  it("answers 404 for what the reporter cannot see, and refuses bad reports naming the field", async () => {
    const owner = await registerUser();
    const reporter = await registerUser();
    const secret = await catalogueVideo(owner, { title: "Private", visibility: "private" });
    await expectProblem(
      await report(reporter, { target: { type: "video", id: secret }, reason: "other" }),
      404,
      "not_found",
    );
    // Its owner may (a report of one's own video is odd, but it reveals nothing).
    expect((await report(owner, { target: { type: "video", id: secret }, reason: "other" })).status).toBe(201);
    for (const [type, id] of [
      ["video", "nosuchvideo"],
      ["comment", "nosuchcomment"],
      ["user", "nosuchuser"],
    ]) {
      await expectProblem(await report(reporter, { target: { type, id }, reason: "other" }), 404, "not_found");
    }
    const open = await catalogueVideo(owner, { title: "Open" });
    const bad: [Record<string, unknown>, string][] = [
      [{ target: { type: "video", id: open }, reason: "boring" }, "reason"],
      [{ target: { type: "channel", id: open }, reason: "other" }, "target.type"],
      [{ target: { type: "video", id: "bad id!" }, reason: "other" }, "target.id"],
      [{ target: { type: "video", id: open }, reason: "other", message: "x".repeat(3001) }, "message"],
      [{ target: { type: "video", id: open }, reason: "other", start_at: -1 }, "start_at"],
      [{ target: { type: "video", id: open }, reason: "other", start_at: 20, end_at: 10 }, "end_at"],
      [{ target: { type: "user", id: owner.id }, reason: "other", start_at: 5 }, "start_at"],
      [{ target: { type: "user", id: reporter.id }, reason: "other" }, "target.id"],
      [{ target: { type: "video", id: open }, reason: "other", extra: 1 }, "json"],
    ];
    for (const [body, name] of bad) {
      const problem = await expectProblem(await report(reporter, body), 400, "validation_failed");
      expect(
        problem.invalid_params.map((p: { name: string }) => p.name),
        JSON.stringify(body),
      ).toContain(name);
    }
    await expectProblem(
      await report({ token: "" } as TestUser, { target: { type: "video", id: open }, reason: "other" }),
      401,
      "unauthorized",
    );
  });

  it("lists the most reported targets first, hides reporters from the reported, and settles all reports of a target at once", async () => {
    const mod = await moderator();
    const owner = await registerUser();
    const [a, b, c] = [await registerUser(), await registerUser(), await registerUser()];
    const popular = await catalogueVideo(owner, { title: `Much reported ${Date.now()}` });
    const quiet = await catalogueVideo(owner, { title: "Reported once" });
    for (const who of [a, b, c]) {
      expect((await report(who, { target: { type: "video", id: popular }, reason: "spam_or_misleading" })).status).toBe(
        201,
      );
    }
    expect((await report(a, { target: { type: "video", id: quiet }, reason: "other" })).status).toBe(201);
    const reportOfMod = await report(a, { target: { type: "user", id: mod.id }, reason: "other" });
    expect(reportOfMod.status).toBe(201);

    const queue = (await (await api("/api/v1/moderation/reports?limit=100", { as: mod })).json()) as { items: any[] };
    const ours = queue.items.filter((i) => [popular, quiet, mod.id].includes(i.target.id));
    expect(ours.slice(0, 3).map((i) => i.target.id)).toEqual([popular, popular, popular]);
    expect(ours[0]).toMatchObject({
      report_count: 3,
      reason: "spam_or_misleading",
      reporter: { id: a.id, username: a.username },
      target: { type: "video", id: popular, owner: { id: owner.id }, blocked: false },
    });
    expect(ours[0].target.title).toContain("Much reported");
    // The moderator is the reported party here: no reporter for them.
    expect(ours.find((i) => i.target.id === mod.id)).toMatchObject({ reporter: null, target: { type: "user" } });
    const onlyUsers = (await (await api("/api/v1/moderation/reports?target_type=user", { as: mod })).json()) as {
      items: any[];
    };
    expect(onlyUsers.items.every((i) => i.target.type === "user")).toBe(true);

    // Dismissing one report of the popular video settles all three, and tells each reporter.
    const firstId = ours[0].id;
    const settled = await api(`/api/v1/moderation/reports/${firstId}`, {
      method: "POST",
      as: mod,
      json: { action: "dismiss", note: "Not spam" },
    });
    expect(settled.status).toBe(200);
    expect(await settled.json()).toMatchObject({ id: firstId, state: "rejected", outcome: "dismiss" });
    const states = await env.DB.prepare("SELECT state FROM reports WHERE target_id = ?").bind(popular).all();
    expect(states.results.map((r) => r.state)).toEqual(["rejected", "rejected", "rejected"]);
    for (const who of [a, b, c]) {
      const notes = (await (await api("/api/v1/users/me/notifications", { as: who })).json()) as { items: any[] };
      expect(notes.items.map((n) => n.type)).toContain("report_settled");
    }
    expect(await logLines(popular)).toEqual([
      expect.objectContaining({ action: "dismiss", actor_id: mod.id, reason: "Not spam", report_id: firstId }),
    ]);
    await expectProblem(
      await api(`/api/v1/moderation/reports/${firstId}`, { method: "POST", as: mod, json: { action: "dismiss" } }),
      409,
      "already_settled",
    );
  });

  it("refuses an action that does not fit the report, and logs nothing for it", async () => {
    const mod = await moderator();
    const owner = await registerUser();
    const videoId = await catalogueVideo(owner, { title: "Wrong action" });
    await report(await registerUser(), { target: { type: "video", id: videoId }, reason: "other" });
    const reportId = (await row("SELECT id FROM reports WHERE target_id = ?", videoId))!.id as string;
    await expectProblem(
      await api(`/api/v1/moderation/reports/${reportId}`, {
        method: "POST",
        as: mod,
        json: { action: "remove_comment" },
      }),
      400,
      "validation_failed",
    );
    await expectProblem(
      await api(`/api/v1/moderation/reports/${reportId}`, { method: "POST", as: mod, json: { action: "burn" } }),
      400,
      "validation_failed",
    );
    await expectProblem(
      await api("/api/v1/moderation/reports/nosuchreport", { method: "POST", as: mod, json: { action: "dismiss" } }),
      404,
      "not_found",
    );
    await expectProblem(await block(mod, "nosuchvideo"), 404, "not_found");
    expect(await logLines(videoId)).toEqual([]);
    expect(await logLines("nosuchvideo")).toEqual([]);
    expect(await row("SELECT state FROM reports WHERE id = ?", reportId)).toEqual({ state: "pending" });
  });

  it("limits how many reports one user files (429)", async () => {
    const owner = await registerUser();
    const reporter = await registerUser();
    const ids = [];
    for (let i = 0; i < 31; i++) ids.push(await catalogueVideo(owner, { title: `Spam ${i}` }));
    let last: Response | undefined;
    for (const id of ids)
      last = await report(reporter, { target: { type: "video", id }, reason: "spam_or_misleading" });
    await expectProblem(last!, 429, "rate_limited");
  });
});

describe("blocked videos", () => {
  it("answers 451 on every path at once, a cached segment and a signed private URL included; restoring brings it back", async () => {
    const mod = await moderator();
    const owner = await registerUser();
    const viewer = await registerUser();
    const { videoId } = await readyVideo(owner, "public", `Blockable ${Date.now().toString(36)}`);
    // A viewer's player has the segment and the master in the edge cache already.
    const segment = `/videos/${videoId}/144p/seg_00001.ts`;
    expect(new Uint8Array(await (await api(segment)).arrayBuffer())).toEqual(SEGMENT);
    expect((await api(segment)).status).toBe(200);
    const { videoId: privateId } = await readyVideo(owner, "private");
    const signed = ((await (await api(`/api/v1/videos/${privateId}`, { as: owner })).json()) as { hls_url: string })
      .hls_url;
    expect((await api(new URL(signed).pathname + new URL(signed).search)).status).toBe(200);
    const watcher = await join(videoId, viewer);
    await watcher.next("counters");

    const res = await block(mod, videoId, "Graphic violence");
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ video_id: videoId, reason: "Graphic violence", at: expect.any(String) });
    expect((await block(mod, privateId)).status).toBe(200);

    for (const path of [segment, `/videos/${videoId}/master.m3u8`, `/videos/${videoId}/144p/index.m3u8`]) {
      await expectProblem(await api(path), 451, "video_blocked");
    }
    await expectProblem(await api(new URL(signed).pathname + new URL(signed).search), 451, "video_blocked");
    for (const as of [undefined, viewer, mod]) {
      await expectProblem(await api(`/api/v1/videos/${videoId}`, { as }), 451, "video_blocked");
    }
    await expectProblem(await api(`/api/v1/videos/${videoId}/comments`), 451, "video_blocked");
    expect((await api(`/watch/${videoId}`)).status).toBe(451);
    // Its owner sees why, without a player.
    const mine = (await (await api(`/api/v1/videos/${videoId}`, { as: owner })).json()) as Record<string, any>;
    expect(mine).toMatchObject({ blocked: { reason: "Graphic violence" }, hls_url: null, playable: false });
    const notes = (await (await api("/api/v1/users/me/notifications", { as: owner })).json()) as { items: any[] };
    expect(notes.items).toContainEqual(expect.objectContaining({ type: "video_blocked", video_id: videoId }));
    // The room closed with a clear code, and nobody but the owner joins again.
    expect(await watcher.next("error")).toMatchObject({ code: "video_blocked" });
    expect(await watcher.closed).toBe(4451);
    await expectProblem(
      await api(`/api/v1/videos/${videoId}/live`, { headers: { Upgrade: "websocket" } }),
      451,
      "video_blocked",
    );
    // Out of every list.
    expect(await row("SELECT 1 AS n FROM search_documents WHERE video_id = ?", videoId)).toBeNull();
    const listed = (await (await api(`/api/v1/channels/${owner.channel_id}/videos`)).json()) as { items: any[] };
    expect(listed.items.map((v) => v.id)).not.toContain(videoId);
    expect(await row("SELECT video_count FROM channels WHERE id = ?", owner.channel_id)).toEqual({ video_count: 0 });
    expect(await logLines(videoId)).toEqual([
      expect.objectContaining({ action: "block_video", actor_id: mod.id, reason: "Graphic violence" }),
    ]);

    const restore = await api(`/api/v1/moderation/videos/${videoId}/block`, { method: "DELETE", as: mod });
    expect(restore.status).toBe(204);
    expect(new Uint8Array(await (await api(segment)).arrayBuffer())).toEqual(SEGMENT);
    expect((await api(`/api/v1/videos/${videoId}`, { as: viewer })).status).toBe(200);
    expect(await row("SELECT 1 AS n FROM search_documents WHERE video_id = ?", videoId)).toEqual({ n: 1 });
    expect(await row("SELECT video_count FROM channels WHERE id = ?", owner.channel_id)).toEqual({ video_count: 1 });
    expect((await logLines(videoId)).map((l) => l.action)).toEqual(["block_video", "restore_video"]);
  });

  it("blocks a video from a report, settling its reports, and refuses a blank reason", async () => {
    const mod = await moderator();
    const owner = await registerUser();
    const reporter = await registerUser();
    const videoId = await catalogueVideo(owner, { title: "Blocked from a report" });
    await report(reporter, { target: { type: "video", id: videoId }, reason: "violent_or_repulsive" });
    const reportId = (await row("SELECT id FROM reports WHERE target_id = ?", videoId))!.id as string;
    const acted = await api(`/api/v1/moderation/reports/${reportId}`, {
      method: "POST",
      as: mod,
      json: { action: "block_video", note: "Gore" },
    });
    expect(await acted.json()).toMatchObject({ state: "accepted", outcome: "block_video" });
    expect(await row("SELECT blocked_reason FROM videos WHERE id = ?", videoId)).toEqual({ blocked_reason: "Gore" });
    expect(await logLines(videoId)).toEqual([expect.objectContaining({ action: "block_video", report_id: reportId })]);
    await expectProblem(await block(mod, videoId, "   "), 400, "validation_failed");
    await expectProblem(await block(mod, videoId, "x".repeat(501)), 400, "validation_failed");
  });
});

describe("suspended accounts", () => {
  it("refuses their token, session and login at once, hides their videos, closes their sockets; lifting brings them back", async () => {
    const mod = await moderator();
    const user = await registerUser();
    const viewer = await registerUser();
    const { videoId } = await readyVideo(user);
    const cookie = await cookieOf(user);
    expect((await api("/api/v1/users/me", { headers: { Cookie: cookie } })).status).toBe(200);
    const socket = await join(videoId, user);
    await socket.next("counters");
    const bystander = await join(videoId, viewer);
    await bystander.next("counters");

    const res = await api(`/api/v1/moderation/users/${user.id}/suspension`, {
      method: "POST",
      as: mod,
      json: { reason: "Harassment" },
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ user_id: user.id, reason: "Harassment", until: null });

    await expectProblem(await api("/api/v1/users/me", { as: user }), 401, "account_suspended");
    await expectProblem(await api("/api/v1/users/me", { headers: { Cookie: cookie } }), 401, "account_suspended");
    await expectProblem(
      await api("/api/v1/auth/login", { method: "POST", json: { email: user.email, password: user.password } }),
      401,
      "account_suspended",
    );
    // A wrong password says nothing about the account.
    await expectProblem(
      await api("/api/v1/auth/login", { method: "POST", json: { email: user.email, password: "wrong password" } }),
      401,
      "invalid_credentials",
    );
    await expectProblem(
      await api("/api/v1/auth/register", {
        method: "POST",
        json: { email: user.email, username: `${user.username}2`, password: "another password" },
      }),
      409,
      "email_taken",
    );
    await expectProblem(await api(`/api/v1/videos/${videoId}`, { as: viewer }), 404, "not_found");
    await expectProblem(await api(`/videos/${videoId}/master.m3u8`), 404, "not_found");
    expect(await row("SELECT 1 AS n FROM search_documents WHERE video_id = ?", videoId)).toBeNull();
    expect(await socket.next("error")).toMatchObject({ code: "account_suspended" });
    expect(await socket.closed).toBe(4401);
    // Only theirs: the other watcher stays.
    bystander.socket.send(JSON.stringify({ type: "ping" }));
    await bystander.next("pong");

    // The cron lifts a suspension whose time has come.
    await env.DB.prepare("UPDATE users SET suspended_until = ? WHERE id = ?")
      .bind(Date.now() - 1000, user.id)
      .run();
    const ctx = createExecutionContext();
    worker.scheduled(createScheduledController({ cron: "*/5 * * * *", scheduledTime: Date.now() }), env, ctx);
    await waitOnExecutionContext(ctx);
    expect((await api("/api/v1/users/me", { as: user })).status).toBe(200);
    expect((await api(`/api/v1/videos/${videoId}`, { as: viewer })).status).toBe(200);
    expect(await row("SELECT 1 AS n FROM search_documents WHERE video_id = ?", videoId)).toEqual({ n: 1 });
    expect((await logLines(user.id)).map((l) => [l.action, l.actor_id])).toEqual([
      ["suspend_user", mod.id],
      ["lift_suspension", "cron"],
    ]);
  });

  it("lets a moderator suspend only users below them, for a time in the future", async () => {
    const mod = await moderator();
    const other = await moderator();
    const admin = await withRole(await registerUser(), "admin");
    const suspend = (as: TestUser, id: string, body: Record<string, unknown>) =>
      api(`/api/v1/moderation/users/${id}/suspension`, { method: "POST", as, json: body });
    await expectProblem(await suspend(mod, other.id, { reason: "x" }), 403, "forbidden");
    await expectProblem(await suspend(mod, admin.id, { reason: "x" }), 403, "forbidden");
    await expectProblem(await suspend(mod, mod.id, { reason: "x" }), 403, "forbidden");
    const user = await registerUser();
    await expectProblem(
      await suspend(mod, user.id, { reason: "x", until: "2001-01-01T00:00:00Z" }),
      400,
      "validation_failed",
    );
    await expectProblem(await suspend(mod, user.id, { reason: "x", until: "tomorrow" }), 400, "validation_failed");
    await expectProblem(await suspend(mod, "nosuchuser", { reason: "x" }), 404, "not_found");
    const until = new Date(Date.now() + 86_400_000).toISOString();
    const res = await suspend(admin, other.id, { reason: "Abuse of powers", until });
    expect(await res.json()).toMatchObject({ until });
    expect(await (await api("/api/v1/users/me", { as: other })).json()).toMatchObject({
      code: "account_suspended",
      until,
    });
  });
});

describe("the moderation log", () => {
  it("is listed to moderators newest first, and never updated or deleted", async () => {
    const mod = await moderator();
    const videoId = await catalogueVideo(await registerUser(), { title: "Logged" });
    await block(mod, videoId, "First");
    const log = (await (await api("/api/v1/moderation/log?limit=100", { as: mod })).json()) as { items: any[] };
    expect(log.items.find((l) => l.target.id === videoId)).toMatchObject({
      actor: { id: mod.id, username: mod.username },
      action: "block_video",
      target: { type: "video", id: videoId },
      reason: "First",
    });
    await expect(env.DB.prepare("UPDATE moderation_log SET reason = 'changed'").run()).rejects.toThrow(/append-only/);
    await expect(env.DB.prepare("DELETE FROM moderation_log").run()).rejects.toThrow(/append-only/);
  });
});

describe("zone purge (production)", () => {
  it("sends Cloudflare's purge_cache request with the keys, 30 a call, and survives a refusal", async () => {
    const calls: { url: string; init: RequestInit }[] = [];
    const fetcher = vi.fn(async (url: string | URL | Request, init?: RequestInit) => {
      calls.push({ url: String(url), init: init ?? {} });
      const ok = calls.length === 1;
      return Response.json(
        ok
          ? { success: true, errors: [], messages: [], result: { id: "purge-id" } }
          : { success: false, errors: [{ code: 10000, message: "Authentication error" }], messages: [], result: null },
        { status: ok ? 200 : 403 },
      );
    });
    const purge = zonePurge({ ...env, CF_ZONE_ID: "zone123", CF_API_TOKEN: "secret-token" }, fetcher as typeof fetch);
    const urls = Array.from({ length: 31 }, (_, i) => `https://tube.example/__cache/videos/v${i}`);
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    await purge!(urls);
    expect(calls.map((c) => c.url)).toEqual([
      "https://api.cloudflare.com/client/v4/zones/zone123/purge_cache",
      "https://api.cloudflare.com/client/v4/zones/zone123/purge_cache",
    ]);
    expect(new Headers(calls[0]!.init.headers).get("Authorization")).toBe("Bearer secret-token");
    expect(JSON.parse(String(calls[0]!.init.body))).toEqual({ files: urls.slice(0, 30) });
    expect(JSON.parse(String(calls[1]!.init.body))).toEqual({ files: urls.slice(30) });
    expect(warn).toHaveBeenCalledTimes(1);
    expect(zonePurge({ ...env, CF_ZONE_ID: "", CF_API_TOKEN: undefined })).toBeUndefined();
  });
});

describe("moderation pages", () => {
  const page = (path: string, cookie?: string, init: RequestInit = {}) =>
    api(path, {
      ...init,
      headers: { ...(cookie ? { Cookie: cookie } : {}), ...(init.headers as object) },
      redirect: "manual",
    });

  it("shows moderators the queue with its actions, acts by form post, and refuses everyone else", async () => {
    const mod = await moderator();
    const owner = await registerUser();
    const videoId = await catalogueVideo(owner, { title: `Queue page ${Date.now()}` });
    await report(await registerUser(), {
      target: { type: "video", id: videoId },
      reason: "sexual_content",
      message: "At the start",
    });
    const reportId = (await row("SELECT id FROM reports WHERE target_id = ?", videoId))!.id as string;

    const plainCookie = await cookieOf(await registerUser());
    expect((await page("/moderation", plainCookie)).status).toBe(403);
    expect((await page("/moderation")).status).toBe(302);
    const cookie = await cookieOf(mod);
    const html = await (await page("/moderation?limit=100", cookie)).text();
    expect(html).toContain("Queue page");
    expect(html).toContain("Sexual content");
    expect(html).toContain(`action="/moderation/reports/${reportId}"`);
    expect(html).toContain('value="block_video"');
    expect(html).toContain('<a href="/moderation">Moderation</a>');

    const csrf = /name="_csrf" value="([^"]+)"/.exec(html)![1]!;
    const form = new URLSearchParams({ _csrf: csrf, action: "block_video", note: "Nudity" });
    const acted = await page(`/moderation/reports/${reportId}`, cookie, {
      method: "POST",
      body: form,
      headers: { "Content-Type": "application/x-www-form-urlencoded", Origin: "http://cloudtube.test" },
    });
    expect(acted.status).toBe(303);
    expect(await row("SELECT blocked_reason FROM videos WHERE id = ?", videoId)).toEqual({ blocked_reason: "Nudity" });
    expect(await row("SELECT state, outcome FROM reports WHERE id = ?", reportId)).toEqual({
      state: "accepted",
      outcome: "block_video",
    });
    // Without the CSRF token the same post is refused and changes nothing.
    const other = await catalogueVideo(owner, { title: "Second" });
    await report(await registerUser(), { target: { type: "video", id: other }, reason: "other" });
    const otherId = (await row("SELECT id FROM reports WHERE target_id = ?", other))!.id as string;
    const forged = await page(`/moderation/reports/${otherId}`, cookie, {
      method: "POST",
      body: new URLSearchParams({ action: "block_video" }),
      headers: { "Content-Type": "application/x-www-form-urlencoded", Origin: "http://cloudtube.test" },
    });
    expect(forged.status).toBe(403);
    expect(await row("SELECT state FROM reports WHERE id = ?", otherId)).toEqual({ state: "pending" });
  });

  it("offers Report on a video to signed-in viewers, and shows a blocked video's owner the reason", async () => {
    const mod = await moderator();
    const owner = await registerUser();
    const viewer = await registerUser();
    const { videoId } = await readyVideo(owner);
    const viewerPage = await (await page(`/watch/${videoId}`, await cookieOf(viewer))).text();
    expect(viewerPage).toContain(`data-report-type="video" data-report-id="${videoId}"`);
    expect(viewerPage).toContain('id="report-dialog"');
    // The report dialog's script loads with the rest of the page once the player is going
    // (web/client/player.ts, for a signed-in viewer): the page's player script imports it.
    expect(viewerPage).toContain('data-signed-in="1"');
    const assets = (await (await env.ASSETS.fetch("http://cloudtube.test/assets/manifest.json")).json()) as {
      scripts: Record<string, { src: string }>;
    };
    const player = await (await env.ASSETS.fetch(`http://cloudtube.test${assets.scripts.player!.src}`)).text();
    expect(viewerPage).toContain(assets.scripts.player!.src);
    expect(player).toContain(assets.scripts.report!.src.split("/").at(-1));
    const ownerCookie = await cookieOf(owner);
    expect(await (await page(`/watch/${videoId}`, ownerCookie)).text()).not.toContain("data-report-type");

    await block(mod, videoId, "Copyright claim");
    const blockedForViewer = await page(`/watch/${videoId}`, await cookieOf(viewer));
    expect(blockedForViewer.status).toBe(451);
    expect(await blockedForViewer.text()).toContain("blocked by a moderator");
    const ownerPage = await (await page(`/watch/${videoId}`, ownerCookie)).text();
    expect(ownerPage).toContain("A moderator blocked this video: Copyright claim");
    expect(ownerPage).not.toContain("<hls-video");
    const studio = await (await page("/studio", ownerCookie)).text();
    expect(studio).toContain("A moderator blocked this video: Copyright claim");
  });
});
