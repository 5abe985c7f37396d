import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { browser, signIn } from "./browser-fixtures";
import { api, catalogueVideo, registerUser, type TestUser } from "./fixtures";

/** A player's session through the real beacon route: start (with its startup time), heartbeats, pause. */
async function play(videoId: string, source: string, startupMs: number, reached: number) {
  const at = new Date().toISOString();
  const beats = Array.from({ length: Math.floor(reached / 10) }, (_, i) => ({
    type: "heartbeat",
    position: (i + 1) * 10,
    at,
  }));
  const res = await api(`/api/v1/videos/${videoId}/playback-events`, {
    method: "POST",
    headers: { "User-Agent": "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/120.0 Safari/537.36" },
    json: {
      session_id: `s-${crypto.randomUUID()}`,
      source,
      events: [
        { type: "start", position: 0, at, startup_ms: startupMs },
        ...beats,
        { type: "pause", position: reached, at },
      ],
    },
  });
  expect(res.status).toBe(204);
}

const video = (owner: TestUser, title: string, visibility: "public" | "private" = "public") =>
  catalogueVideo(owner, { title, duration: 100, visibility });

/** The text of a table's body rows, cell by cell. */
function rows(html: string, id: string): string[][] {
  const table = new RegExp(`<table[^>]*id="${id}"[\\s\\S]*?</table>`).exec(html)?.[0] ?? "";
  const body = /<tbody>([\s\S]*?)<\/tbody>/.exec(table)?.[1] ?? "";
  return [...body.matchAll(/<tr[^>]*>([\s\S]*?)<\/tr>/g)].map(([, row]) =>
    [...(row ?? "").matchAll(/<t[hd][^>]*>([\s\S]*?)<\/t[hd]>/g)].map(([, cell]) =>
      (cell ?? "").replace(/<[^>]+>/g, "").trim(),
    ),
  );
}

describe("the studio's analytics pages", () => {
  it("show the owner a video's figures as tables, with the charts' script, linked from the studio's list", async () => {
    const owner = await registerUser();
    const videoId = await video(owner, "Charted");
    await play(videoId, "search", 400, 50);
    await play(videoId, "search", 600, 100);
    await play(videoId, "home", 2000, 20);
    const session = await signIn(owner);

    const studio = await (await session.get("/studio")).text();
    expect(studio).toContain(`href="/studio/videos/${videoId}/analytics"`);
    expect(studio).toContain('href="/studio/analytics"');

    const res = await session.get(`/studio/videos/${videoId}/analytics`);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain("<h1>Analytics: Charted</h1>");
    expect(html).toMatch(/<script type="module" src="\/assets\/h\/analytics-[A-Z0-9]+\.js">/);
    expect(/<dd id="total-views">([^<]*)<\/dd>/.exec(html)?.[1]).toBe("3");
    // The last 28 days by day: the last row is today's, with the three views and 170 s watched.
    const days = rows(html, "views-table");
    expect(days.length).toBeGreaterThanOrEqual(28);
    expect(days.at(-1)).toEqual([new Date().toISOString().slice(0, 10), "3", "2:50"]);
    // Retention at every tenth: all three at 0-20%, two past 20% up to 50%, one to the end.
    expect(rows(html, "retention-table")).toEqual([
      ["0%", "100.0%"],
      ["10%", "100.0%"],
      ["20%", "100.0%"],
      ["30%", "66.7%"],
      ["40%", "66.7%"],
      ["50%", "66.7%"],
      ["60%", "33.3%"],
      ["70%", "33.3%"],
      ["80%", "33.3%"],
      ["90%", "33.3%"],
    ]);
    expect(html).toMatch(/data-retention="\[1,1,/);
    expect(rows(html, "sources-table")).toEqual([
      ["Search", "2", "66.7%"],
      ["Home page", "1", "33.3%"],
    ]);
    expect(rows(html, "regions-table")).toEqual([["Unknown", "3", "100.0%"]]);
    expect(rows(html, "devices-table")).toEqual([["Computer", "3", "100.0%"]]);
    expect(rows(html, "quality-table")).toEqual([
      ["Startup time, median", "600 ms"],
      ["Startup time, 95th percentile", "2,000 ms"],
      ["Rebuffering (share of watch time)", "0.0%"],
      ["Sessions with a playback error", "0.0%"],
    ]);

    // By hour over a week: one row an hour.
    const hourly = await (await session.get(`/studio/videos/${videoId}/analytics?days=7&granularity=hour`)).text();
    expect(rows(hourly, "views-table").length).toBeGreaterThanOrEqual(7 * 24);
    // A range the page does not offer, or hours over a year: a 400 page saying what to pick.
    const odd = await session.get(`/studio/videos/${videoId}/analytics?days=3`);
    expect(odd.status).toBe(400);
    expect(await odd.text()).toContain("Choose a range of 7, 28, 90, 365 days");
    const tooFine = await session.get(`/studio/videos/${videoId}/analytics?days=365&granularity=hour`);
    expect(tooFine.status).toBe(400);
    expect(await tooFine.text()).toContain("at most 31 days");
  });

  it("show the channel's figures and its top videos", async () => {
    const owner = await registerUser();
    const [first, second] = [await video(owner, "First"), await video(owner, "Second")];
    await play(first, "search", 500, 30);
    await play(first, "home", 500, 30);
    await play(second, "home", 500, 30);
    const html = await (await (await signIn(owner)).get("/studio/analytics")).text();
    expect(html).toContain("<h1>Channel analytics:");
    expect(/<dd id="total-views">([^<]*)<\/dd>/.exec(html)?.[1]).toBe("3");
    expect(rows(html, "top-videos-table")).toEqual([
      ["First", "2", "1:00"],
      ["Second", "1", "0:30"],
    ]);
    expect(html).toContain(`href="/studio/videos/${first}/analytics"`);
  });

  it("are the owner's alone: another user gets 403 (404 for a private video), a visitor the sign-in page", async () => {
    const owner = await registerUser();
    const videoId = await video(owner, "Mine");
    const hidden = await video(owner, "Hidden", "private");
    const other = await signIn(await registerUser());
    const theirs = await other.get(`/studio/videos/${videoId}/analytics`);
    expect(theirs.status).toBe(403);
    expect(await theirs.text()).not.toContain("Mine");
    expect((await other.get(`/studio/videos/${hidden}/analytics`)).status).toBe(404);
    const moderator = await registerUser();
    await env.DB.prepare("UPDATE users SET role = 'moderator' WHERE id = ?").bind(moderator.id).run();
    expect((await (await signIn(moderator)).get(`/studio/videos/${videoId}/analytics`)).status).toBe(403);
    const visitor = await browser(`/studio/videos/${videoId}/analytics`);
    expect(visitor.status).toBe(302);
    expect(visitor.headers.get("Location")).toBe(
      `/login?next=${encodeURIComponent(`/studio/videos/${videoId}/analytics`)}`,
    );
    expect((await browser("/studio/analytics")).status).toBe(302);
  });
});
