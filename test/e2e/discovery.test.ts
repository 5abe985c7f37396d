import path from "node:path";
import { describe, expect, it } from "vitest";
import { type Account, makeClip } from "./clients";
import { runningStack } from "./stack";

/**
 * Discovery on the running stack: a few viewers watch real (transcoded) videos through the
 * player API, the cron ticks (`/__scheduled`, as npm start does every five minutes), and
 * trending, recommendations and related answer as those watches imply.
 */
const e2e = runningStack("discovery");

interface Item {
  id: string;
  reason?: { type: string; video_id?: string };
}

const watch = (who: Account, videoId: string) =>
  e2e.api.call(who, `/api/v1/videos/${videoId}/watch-position`, {
    method: "POST",
    body: JSON.stringify({ position: 3, duration: 4 }),
  });

async function eventually<T>(probe: () => Promise<T | undefined>, what: string, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

describe("discovery on the running stack", () => {
  it("trending, recommendations and related follow what viewers watch", async () => {
    const clip = path.join(e2e.work, "clip.mp4");
    makeClip(clip, 4, "320x180");
    const [kayaker, paddler, baker] = [await e2e.api.register(), await e2e.api.register(), await e2e.api.register()];
    const roll = await e2e.api.upload(kayaker, clip, { title: "Kayak rolling for beginners" });
    const rescue = await e2e.api.upload(paddler, clip, { title: "Kayak rescue drills" });
    const bread = await e2e.api.upload(baker, clip, { title: "Sourdough bread at home" });
    for (const [owner, id] of [
      [kayaker, roll],
      [paddler, rescue],
      [baker, bread],
    ] as const) {
      await e2e.api.waitReady(owner, id);
    }
    await e2e.api.call(paddler, `/api/v1/videos/${rescue}`, {
      method: "PATCH",
      body: JSON.stringify({ tags: ["kayak", "paddling"], description: "Kayak rescue drills on a river." }),
    });

    // Three viewers watch the two kayak videos in one sitting; one watches the bread video.
    const viewers = [await e2e.api.register(), await e2e.api.register(), await e2e.api.register()];
    for (const viewer of viewers) {
      await watch(viewer, roll);
      await watch(viewer, rescue);
    }
    await watch(await e2e.api.register(), bread);

    // The watch-events queue rolls the views up; then the cron turns them into trending.
    const trending = await eventually(async () => {
      await fetch(`${e2e.stack.url}/__scheduled?cron=${encodeURIComponent("*/5 * * * *")}`);
      const list = await e2e.api.call<{ items: Item[] }>(undefined, "/api/v1/videos/trending?region=DE&limit=10");
      const ids = list.items.map((i) => i.id);
      return ids.includes(roll) && ids.includes(rescue) ? ids : undefined;
    }, "trending to list both kayak videos");
    // Fewer distinct viewers than the threshold: not trending.
    expect(trending).not.toContain(bread);

    // Anonymous callers get trending, with that reason.
    const anonymous = await e2e.api.call<{ items: Item[] }>(undefined, "/api/v1/recommendations");
    expect(anonymous.items.map((i) => i.id)).toEqual(expect.arrayContaining([roll, rescue]));
    expect(anonymous.items.every((i) => i.reason?.type === "trending")).toBe(true);

    // Someone new watches the first kayak video: the second comes because they watched it.
    const newcomer = await e2e.api.register();
    await watch(newcomer, roll);
    const recommended = await eventually(async () => {
      const list = await e2e.api.call<{ items: Item[] }>(newcomer, "/api/v1/recommendations");
      const pick = list.items.find((i) => i.id === rescue);
      return pick?.reason?.type === "because_you_watched" ? list : undefined;
    }, "the co-viewed video in recommendations");
    expect(recommended.items.find((i) => i.id === rescue)!.reason).toEqual({
      type: "because_you_watched",
      video_id: roll,
    });
    // The bread video shares no viewers with it: if listed at all (a catalogue of three), it comes last.
    const order = recommended.items.map((i) => i.id);
    if (order.includes(bread)) expect(order.indexOf(bread)).toBeGreaterThan(order.indexOf(rescue));

    // Related: the co-viewed video first, never the video itself.
    const related = await e2e.api.call<{ items: Item[] }>(undefined, `/api/v1/videos/${roll}/related`);
    expect(related.items[0]?.id).toBe(rescue);
    expect(related.items.map((i) => i.id)).not.toContain(roll);
  });
});
