import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { BOOKMARK_COOKIE, BOOKMARK_HEADER } from "../../workers/middleware/request-id";
import { BOOKMARK_PATTERN, sessionOf } from "../../workers/wiring/deps";
import { api, catalogueVideo, registerUser } from "./fixtures";

// Catalogue reads go through D1's Sessions API (issue 23): every API answer carries the
// session's bookmark, a write's answer also sets it in a cookie, and a request that sends one
// back reads at least that state. Locally there is one database and no replica, so what these
// show is the plumbing: the bookmark's round trip, and that no bad bookmark breaks a request.

const bookmarkOf = (res: Response) => res.headers.get(BOOKMARK_HEADER);
const cookieOf = (res: Response) =>
  res.headers
    .getSetCookie()
    .find((c) => c.startsWith(`${BOOKMARK_COOKIE}=`))
    ?.split(";")[0]
    ?.slice(BOOKMARK_COOKIE.length + 1);

describe("D1 sessions", () => {
  it("answers a read with the session's bookmark, and sets no cookie for it", async () => {
    const owner = await registerUser();
    const id = await catalogueVideo(owner, { title: "session read" });
    const res = await api(`/api/v1/videos/${id}`);
    expect(res.status).toBe(200);
    expect(bookmarkOf(res)).toMatch(BOOKMARK_PATTERN);
    expect(cookieOf(res)).toBeUndefined();
  });

  it("a write's answer sets the bookmark cookie, and the next read from it sees the write", async () => {
    const owner = await registerUser();
    const id = await catalogueVideo(owner, { title: "before the edit" });
    const edit = await api(`/api/v1/videos/${id}`, { method: "PATCH", as: owner, json: { title: "after the edit" } });
    expect(edit.status).toBe(200);
    const written = bookmarkOf(edit);
    expect(written).toMatch(BOOKMARK_PATTERN);
    expect(cookieOf(edit)).toBe(written);
    const cookie = edit.headers.getSetCookie().find((c) => c.startsWith(`${BOOKMARK_COOKIE}=`)) ?? "";
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
    expect(cookie).toMatch(/Max-Age=300/i);

    // From the header (an API client) and from the cookie (a browser): the edit is there, and
    // the answer's bookmark is at least as new as the one sent.
    for (const headers of [{ [BOOKMARK_HEADER]: written ?? "" }, { Cookie: `${BOOKMARK_COOKIE}=${written}` }] as Record<
      string,
      string
    >[]) {
      const read = await api(`/api/v1/videos/${id}`, { headers });
      expect(read.status).toBe(200);
      expect(((await read.json()) as { title: string }).title).toBe("after the edit");
      expect((bookmarkOf(read) ?? "") >= (written ?? "")).toBe(true);
    }
  });

  it("lets a browser's script on another origin send and read the bookmark (CORS)", async () => {
    const preflight = await api("/api/v1/videos", {
      method: "OPTIONS",
      headers: {
        Origin: "https://app.example",
        "Access-Control-Request-Method": "GET",
        "Access-Control-Request-Headers": BOOKMARK_HEADER,
      },
    });
    expect(preflight.headers.get("Access-Control-Allow-Headers")?.toLowerCase()).toContain(BOOKMARK_HEADER);
    const owner = await registerUser();
    const res = await api(`/api/v1/channels/${owner.channel_id}/videos`, {
      headers: { Origin: "https://app.example" },
    });
    expect(res.headers.get("Access-Control-Expose-Headers")?.toLowerCase()).toContain(BOOKMARK_HEADER);
  });

  it("a refused write sets no cookie", async () => {
    const owner = await registerUser();
    const stranger = await registerUser();
    const id = await catalogueVideo(owner, { title: "not yours" });
    const res = await api(`/api/v1/videos/${id}`, { method: "PATCH", as: stranger, json: { title: "mine now" } });
    expect(res.status).toBe(403);
    expect(cookieOf(res)).toBeUndefined();
  });

  it("ignores a bookmark that is not one, from the header or the cookie", async () => {
    const owner = await registerUser();
    const id = await catalogueVideo(owner, { title: "bad bookmarks" });
    for (const bad of [
      "nonsense",
      "'; DROP TABLE videos; --",
      "0".repeat(300),
      "zzzzzzzz-zzzzzzzz",
      // Well formed, but no state D1 ever had (far ahead of the database).
      `ffffffff-ffffffff-ffffffff-${"f".repeat(32)}`,
    ]) {
      const ways: Record<string, string>[] = [
        { [BOOKMARK_HEADER]: bad },
        { Cookie: `${BOOKMARK_COOKIE}=${encodeURIComponent(bad)}` },
      ];
      for (const headers of ways) {
        // The channel's page of videos: a read that always reaches D1 (the video's own page
        // may come from the edge cache, and then there is no statement and no bookmark).
        const res = await api(`/api/v1/channels/${owner.channel_id}/videos`, { headers });
        expect(res.status).toBe(200);
        expect(((await res.json()) as { items: { id: string }[] }).items.map((v) => v.id)).toEqual([id]);
        expect(bookmarkOf(res)).toMatch(BOOKMARK_PATTERN);
      }
    }
  });

  it("starts a read anywhere and a write on the primary, unless the client sent a bookmark", async () => {
    const starts: unknown[] = [];
    // The binding's withSession, watched: which start each request's session asks D1 for.
    const watched = {
      ...env,
      DB: Object.assign(Object.create(env.DB), {
        withSession: (start: string) => {
          starts.push(start);
          return env.DB.withSession(start);
        },
      }),
    } as Env;
    const read = sessionOf(watched, undefined, false);
    await read.db.$client.prepare("SELECT 1").all();
    const mark = read.bookmark() ?? "";
    expect(mark).toMatch(BOOKMARK_PATTERN);
    sessionOf(watched, undefined, true);
    sessionOf(watched, mark, false);
    sessionOf(watched, "not-a-bookmark", true);
    expect(starts).toEqual(["first-unconstrained", "first-primary", mark, "first-primary"]);
  });
});
