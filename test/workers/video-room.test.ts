import { evictDurableObject, runDurableObjectAlarm } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { api, processingVideo, readyVideo, registerUser } from "./fixtures";
import { join } from "./room-client";
import { sendEvent, stubTranscoder } from "./transcoder-stub";

stubTranscoder();

const room = (videoId: string) => env.VIDEO_ROOM.get(env.VIDEO_ROOM.idFromName(videoId));

describe("the live room", () => {
  it("greets a watcher with the counters, answers ping, and turns away bad messages without dying", async () => {
    const { videoId } = await readyVideo(await registerUser());
    const a = await join(videoId);
    expect(await a.next("counters")).toMatchObject({ video_id: videoId, views: 0, likes: 0, comments: 0, viewers: 1 });
    a.socket.send(JSON.stringify({ type: "ping" }));
    await a.next("pong");
    a.socket.send("not json");
    expect(await a.next("error")).toMatchObject({ code: "malformed_message" });
    a.socket.send(JSON.stringify({ type: "shout", text: "hi" }));
    expect(await a.next("error")).toMatchObject({ code: "unknown_message" });
    a.socket.send("x".repeat(5000));
    expect(await a.next("error")).toMatchObject({ code: "message_too_large" });
    a.socket.send(JSON.stringify({ type: "ping" }));
    await a.next("pong");
    a.socket.close();
  });

  it("broadcasts counter changes to every watcher, keeps its sockets across eviction, and flushes to D1", async () => {
    const owner = await registerUser();
    const { videoId } = await readyVideo(owner);
    const a = await join(videoId);
    const b = await join(videoId);
    await b.next("counters", (m) => m.viewers === 2);

    // Hibernation: the object goes away with the sockets attached, and still reaches them.
    await evictDurableObject(room(videoId));
    const fan = await registerUser();
    const like = await api(`/api/v1/videos/${videoId}/like`, { method: "POST", as: fan, json: { value: 1 } });
    expect(like.status).toBe(200);
    for (const w of [a, b]) expect(await w.next("counters", (m) => m.likes === 1)).toMatchObject({ viewers: 2 });

    // The room's alarm (due 2 s after the first change) writes the count to D1. Run it now if
    // it has not run yet; either way D1 ends with exactly one like, not two.
    await runDurableObjectAlarm(room(videoId));
    const after = await env.DB.prepare("SELECT like_count FROM videos WHERE id = ?").bind(videoId).first();
    expect(after).toEqual({ like_count: 1 });
    expect(await runDurableObjectAlarm(room(videoId))).toBe(false);
    expect(await env.DB.prepare("SELECT like_count FROM videos WHERE id = ?").bind(videoId).first()).toEqual({
      like_count: 1,
    });
    a.socket.close();
    b.socket.close();
  });

  it("relays processing status to the uploader's page", async () => {
    const owner = await registerUser();
    const { videoId, job } = await processingVideo(owner);
    const page = await join(videoId);
    await sendEvent(job, { type: "progress", stage: "transcoding", progress: 42 });
    expect(await page.next("status", (m) => m.progress === 42)).toEqual({
      type: "status",
      video_id: videoId,
      status: "processing",
      progress: 42,
      playable: false,
    });
    page.socket.close();
  });

  it("admits only the owner to a private video's room, and only over WebSocket", async () => {
    const owner = await registerUser();
    const { videoId } = await readyVideo(owner, "private");
    const res = await api(`/api/v1/videos/${videoId}/live`, { headers: { Upgrade: "websocket" } });
    expect(res.status).toBe(404);
    const stranger = await registerUser();
    expect(
      (
        await api(`/api/v1/videos/${videoId}/live?access_token=${stranger.token}`, {
          headers: { Upgrade: "websocket" },
        })
      ).status,
    ).toBe(404);
    const mine = await join(videoId, owner);
    await mine.next("counters");
    mine.socket.close();
    const plain = await api(`/api/v1/videos/${videoId}/live`, { as: owner });
    expect(plain.status).toBe(426);
    expect(await plain.json()).toMatchObject({ code: "upgrade_required" });
  });

  it("closes a joiner past the room's bound with 1013, and a socket that floods it with 1008", async () => {
    const { videoId } = await readyVideo(await registerUser());
    const limit = Number(env.ROOM_MAX_SOCKETS);
    const inside = [];
    for (let i = 0; i < limit; i++) inside.push(await join(videoId));
    await inside[0]!.next("counters", (m) => m.viewers === limit);
    const res = await api(`/api/v1/videos/${videoId}/live`, { headers: { Upgrade: "websocket" } });
    const extra = res.webSocket!;
    const closed = new Promise<CloseEvent>((resolve) => extra.addEventListener("close", resolve));
    extra.accept();
    expect((await closed).code).toBe(1013);

    // Ten messages a second are fine (each answered); the eleventh closes the socket.
    const chatty = inside[1]!;
    const gone = new Promise<CloseEvent>((resolve) => chatty.socket.addEventListener("close", resolve));
    for (let i = 0; i < 11; i++) chatty.socket.send(JSON.stringify({ type: "hello", i }));
    expect((await gone).code).toBe(1008);
    expect(chatty.messages.filter((m) => m.type === "error")).toHaveLength(10);
    // The others stay, and the room counts one watcher fewer.
    await inside[0]!.next("counters", (m) => m.viewers === limit - 1);
    for (const w of inside) w.socket.close();
  });
});
