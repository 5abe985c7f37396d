import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { INBOX_CAP } from "../../workers/durable-objects/user-inbox";
import { userInboxOf } from "../../workers/wiring/inbox";
import { api, registerUser, type TestUser } from "./fixtures";

// Issue 23: the fan-out's new-video notices (one per subscriber per upload: the notifications
// table's whole growth) live in each user's inbox object; the rare notices stay in D1; the
// list merges both, newest first.

type Notice = { id: string; type: string; video_id?: string; message: string; read: boolean; created_at: string };
type List = { items: Notice[]; page: number; limit: number; total: number };

const list = async (user: TestUser, query = "") => {
  const res = await api(`/api/v1/users/me/notifications${query}`, { as: user });
  expect(res.status).toBe(200);
  return (await res.json()) as List;
};

async function d1Notice(userId: string, id: string, type: string, at: number) {
  await env.DB.prepare(
    "INSERT INTO notifications (id, user_id, type, video_id, message, read, created_at) VALUES (?, ?, ?, NULL, ?, 0, ?)",
  )
    .bind(id, userId, type, `${type} ${id}`, at)
    .run();
}

describe("the user's inbox of new-video notices", () => {
  it("keeps one notice per video, and the list merges it with D1's notices by time, page by page", async () => {
    const user = await registerUser();
    const inbox = userInboxOf(env, user.id);
    const t = Date.now() - 60_000;
    const notice = (id: string, videoId: string, at: number) => ({
      id,
      type: "new_video",
      videoId,
      message: `New: ${videoId}`,
      createdAt: at,
    });
    expect(await inbox.deliver(notice("n1", "video-a", t + 1000))).toBe(true);
    // A redelivered page: the same video's notice again adds nothing.
    expect(await inbox.deliver(notice("n1-again", "video-a", t + 5000))).toBe(false);
    expect(await inbox.deliver(notice("n3", "video-b", t + 3000))).toBe(true);
    await d1Notice(user.id, "d2", "report_settled", t + 2000);
    await d1Notice(user.id, "d4", "report_settled", t + 4000);

    const all = await list(user);
    expect(all.total).toBe(4);
    expect(all.items.map((n) => n.id)).toEqual(["d4", "n3", "d2", "n1"]);
    expect(all.items[1]).toEqual({
      id: "n3",
      type: "new_video",
      video_id: "video-b",
      message: "New: video-b",
      read: false,
      created_at: new Date(t + 3000).toISOString(),
    });
    expect(all.items[0]).not.toHaveProperty("video_id");

    const paged: string[] = [];
    for (let page = 1; page <= 5; page++) {
      const p = await list(user, `?page=${page}&limit=1`);
      expect(p.total).toBe(4);
      paged.push(...p.items.map((n) => n.id));
    }
    expect(paged).toEqual(["d4", "n3", "d2", "n1"]);
  });

  it(`keeps at most ${INBOX_CAP} notices, the newest`, async () => {
    const user = await registerUser();
    const inbox = userInboxOf(env, user.id);
    await inbox.latest(1);
    const stub = env.USER_INBOX.get(env.USER_INBOX.idFromName(user.id));
    await runInDurableObject(stub, (_, state) => {
      for (let i = 0; i < INBOX_CAP + 20; i++) {
        state.storage.sql.exec(
          "INSERT INTO notices (id, type, video_id, message, created_at) VALUES (?, 'new_video', ?, 'old', ?)",
          `old-${i}`,
          `video-${i}`,
          1_000 + i,
        );
      }
      state.storage.kv.put("adds", 49);
    });
    // The 50th delivery checks the cap.
    const at = Date.now();
    expect(await inbox.deliver({ id: "new", type: "new_video", videoId: "fresh", message: "new", createdAt: at })).toBe(
      true,
    );
    const { rows, total } = await inbox.latest(5);
    expect(total).toBe(INBOX_CAP);
    expect(rows[0]?.id).toBe("new");
    expect((await list(user, "?page=1&limit=100")).total).toBe(INBOX_CAP);
  });
});
