import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { HISTORY_CAP, ROOM_MEMORY_MS } from "../../workers/durable-objects/user-history";
import { roomMemory, userHistoryOf } from "../../workers/wiring/history";
import { api, catalogueVideo, readyVideo, registerUser, type TestUser } from "./fixtures";
import { stubTranscoder } from "./transcoder-stub";

stubTranscoder();

// Issue 23: a user's watch history and resume points live in their own object
// (`UserHistory`), not in the shared D1.

type List = {
  items: { video: { id: string }; position: number; percent: number; watched_at: string }[];
  next_cursor: string | null;
};

const list = async (user: TestUser, query = "") => {
  const res = await api(`/api/v1/users/me/watch-history${query}`, { as: user });
  expect(res.status).toBe(200);
  return (await res.json()) as List;
};

const report = (user: TestUser, videoId: string, position: number) =>
  api(`/api/v1/videos/${videoId}/watch-position`, { method: "POST", as: user, json: { position, duration: 100 } });

describe("watch history in the user's own object", () => {
  it("pages over other people's private videos and deleted ones without short or empty pages", async () => {
    const owner = await registerUser();
    const viewer = await registerUser();
    const mine = await readyVideo(viewer, "private");
    const visible1 = await readyVideo(owner);
    const hidden = await readyVideo(owner);
    const gone = await readyVideo(owner);
    const visible2 = await readyVideo(owner);
    // Watched in this order, so the newest first is the reverse.
    for (const v of [visible2, gone, hidden, visible1, mine]) {
      expect((await report(viewer, v.videoId, 10)).status).toBe(204);
    }
    expect((await api(`/api/v1/videos/${gone.videoId}`, { method: "DELETE", as: owner })).status).toBe(204);
    // Watched while public, then made private by its owner.
    const made = await api(`/api/v1/videos/${hidden.videoId}`, {
      method: "PATCH",
      as: owner,
      json: { visibility: "private" },
    });
    expect(made.status).toBe(200);

    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page: List = await list(viewer, `?limit=1${cursor ? `&cursor=${cursor}` : ""}`);
      expect(page.items).toHaveLength(1);
      seen.push(...page.items.map((i) => i.video.id));
      cursor = page.next_cursor;
      pages++;
    } while (cursor && pages < 10);
    // Their own private video stays; the owner's private one and the deleted one drop out.
    expect(seen).toEqual([mine.videoId, visible1.videoId, visible2.videoId]);
  });

  it(`keeps at most ${HISTORY_CAP} entries, the newest`, async () => {
    const viewer = await registerUser();
    const owner = await registerUser();
    const { videoId } = await readyVideo(owner);
    const stub = env.USER_HISTORY.get(env.USER_HISTORY.idFromName(viewer.id));
    // Fill the object directly (a real user would need years): older than anything reported.
    await userHistoryOf(env, viewer.id).page(1);
    await runInDurableObject(stub, (_, state) => {
      for (let i = 0; i < HISTORY_CAP + 50; i++) {
        state.storage.sql.exec(
          "INSERT INTO history (video_id, position, duration, percent, watched_at) VALUES (?, 1, 100, 1, ?)",
          `filler-${String(i).padStart(6, "0")}`,
          1_000_000 + i,
        );
      }
      state.storage.kv.put("writes", 99);
    });
    // The 100th write checks the cap.
    expect((await report(viewer, videoId, 10)).status).toBe(204);
    const left = await runInDurableObject(stub, (_, state) =>
      state.storage.sql
        .exec<{ n: number; oldest: number }>("SELECT count(*) AS n, min(watched_at) AS oldest FROM history")
        .one(),
    );
    expect(left.n).toBe(HISTORY_CAP);
    expect(left.oldest).toBe(1_000_000 + 51);
    expect((await list(viewer)).items.map((i) => i.video.id)).toEqual([videoId]);
  });

  it("remembers the rooms a user joined for a day", async () => {
    const user = await registerUser();
    const owner = await registerUser();
    const [a, b, c] = [
      await catalogueVideo(owner, { title: "room a" }),
      await catalogueVideo(owner, { title: "room b" }),
      await catalogueVideo(owner, { title: "room c" }),
    ];
    const joins = roomMemory(env);
    const t = Date.now();
    await joins.joined(user.id, a, new Date(t - 3_600_000));
    await joins.joined(user.id, b, new Date(t - 2 * 3_600_000));
    await joins.joined(user.id, c, new Date(t));
    expect((await joins.roomsOf(user.id, new Date(t - ROOM_MEMORY_MS))).sort()).toEqual([a, b, c].sort());
    expect((await joins.roomsOf(user.id, new Date(t - 90 * 60_000))).sort()).toEqual([a, c].sort());
    // A day later, a new join: the object forgets what is older than a day.
    await joins.joined(user.id, a, new Date(t + ROOM_MEMORY_MS - 60 * 60_000));
    const kept = await runInDurableObject(env.USER_HISTORY.get(env.USER_HISTORY.idFromName(user.id)), (_, state) =>
      state.storage.sql.exec<{ video_id: string }>("SELECT video_id FROM rooms ORDER BY video_id").toArray(),
    );
    expect(kept.map((r) => r.video_id).sort()).toEqual([a, c].sort());
  });

  it("remembers a signed-in viewer's live room in their object", async () => {
    const owner = await registerUser();
    const { videoId } = await readyVideo(owner);
    const viewer = await registerUser();
    const res = await api(`/api/v1/videos/${videoId}/live`, { as: viewer, headers: { Upgrade: "websocket" } });
    expect(res.status).toBe(101);
    res.webSocket?.accept();
    res.webSocket?.close(1000, "done");
    expect(await roomMemory(env).roomsOf(viewer.id, new Date(Date.now() - 60_000))).toEqual([videoId]);
  });
});
