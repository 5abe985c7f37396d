import path from "node:path";
import { describe, expect, it } from "vitest";
import { type Account, makeClip } from "./clients";
import { runningStack } from "./stack";

const e2e = runningStack("trending");

type Summary = { id: string; channel: { id: string }; trending_score?: number };
type List = { items: Summary[]; region?: string; total?: number };

async function readyVideo(owner: Account, title: string, visibility = "public") {
  const file = path.join(e2e.work, `${title}.mp4`);
  makeClip(file, 4, "320x180");
  const videoId = await e2e.api.upload(owner, file, { title, visibility });
  await e2e.api.waitReady(owner, videoId);
  return videoId;
}

/** A player that watched 3 s of a 4 s clip: past half of a short video, so a view. */
const watch = (viewer: Account, videoId: string) =>
  e2e.api.call(viewer, `/api/v1/videos/${videoId}/watch-position`, {
    method: "POST",
    body: JSON.stringify({ position: 3, duration: 4 }),
  });

/** What the 5-minute cron does, now: the stack runs wrangler with --test-scheduled. */
const tick = () => fetch(`${e2e.stack.url}/__scheduled?cron=${encodeURIComponent("*/5 * * * *")}`);

describe("discovery on the running stack", () => {
  it("notifies subscribers, lists channel videos, and trends what viewers watch once the cron ticks", async () => {
    const [creator, other, fan] = [await e2e.api.register(), await e2e.api.register(), await e2e.api.register()];
    const me = await e2e.api.call<{ channel_id: string }>(creator, "/api/v1/users/me");
    await e2e.api.call(fan, `/api/v1/channels/${me.channel_id}/subscription`, { method: "POST" });

    const watched = await readyVideo(creator, "watched");
    const ignored = await readyVideo(creator, "ignored");
    const hidden = await readyVideo(creator, "hidden", "unlisted");
    const theirs = await readyVideo(other, "theirs");

    const channel = await e2e.api.call<{ subscriber_count: number; video_count: number }>(
      undefined,
      `/api/v1/channels/${me.channel_id}`,
    );
    expect(channel).toMatchObject({ subscriber_count: 1, video_count: 2 });
    const videos = await e2e.api.call<List>(undefined, `/api/v1/channels/${me.channel_id}/videos`);
    expect(videos.items.map((v) => v.id)).toEqual([ignored, watched]);

    // The fan hears of both public videos, never of the unlisted one.
    let notices: { type: string; video_id: string }[] = [];
    for (let i = 0; i < 100 && notices.length < 2; i++) {
      const list = await e2e.api.call<{ items: typeof notices }>(fan, "/api/v1/users/me/notifications");
      notices = list.items.filter((n) => n.type === "new_video");
      if (notices.length < 2) await new Promise((r) => setTimeout(r, 200));
    }
    expect(notices.map((n) => n.video_id).sort()).toEqual([ignored, watched].sort());

    for (const viewer of [fan, await e2e.api.register(), await e2e.api.register()]) {
      await watch(viewer, watched);
      await watch(viewer, theirs);
      await watch(viewer, hidden);
    }

    // The watch events reach their roll-ups within the queue's batch timeout; tick until the
    // cron has seen them.
    let trending: List = { items: [] };
    for (let i = 0; i < 60 && trending.items.length < 2; i++) {
      expect((await tick()).status).toBe(200);
      trending = await e2e.api.call<List>(undefined, "/api/v1/videos/trending");
      if (trending.items.length < 2) await new Promise((r) => setTimeout(r, 500));
    }
    // wrangler dev has no real `cf` offline and fills in a stand-in country: either that
    // country's list or the global one is served, with the same videos.
    expect(["US", "global"]).toContain(trending.region);
    expect(trending.items.map((v) => v.id).sort()).toEqual([watched, theirs].sort());
    expect(trending.items.every((v) => (v.trending_score ?? 0) > 0)).toBe(true);

    // A country with no list of its own gets the global one; a malformed one is refused.
    const fr = await e2e.api.call<List>(undefined, "/api/v1/videos/trending?region=FR");
    expect(fr.region).toBe("global");
    expect(fr.items.map((v) => v.id).sort()).toEqual([watched, theirs].sort());
    const bad = await fetch(`${e2e.stack.url}/api/v1/videos/trending?region=FRA`);
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ code: "validation_failed" });
  });
});
