// The watch page's player beacons in Chromium (issue 23): a viewer plays a video, seeks, pauses
// and leaves the page; the batch sendBeacon carried on the way out is in the local analytics
// store (the ANALYTICS_LOCAL D1 database npm start writes to), read back with wrangler as a
// developer would.
import path from "node:path";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { collectErrors, launchChromium } from "./browser";
import { makeClip } from "./clients";
import { localWrangler, runningStack } from "./stack";

const e2e = runningStack("beacons");
let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(() => browser?.close());

interface Row {
  blob1: string;
  blob2: string;
  blob3: string;
  blob6: string;
  double1: number;
  double2: number;
  double3: number;
  double5: number;
}

/** The video's rows in the local store, in the order they were sent. */
function storedEvents(videoId: string): Row[] {
  const run = localWrangler([
    "d1",
    "execute",
    "ANALYTICS_LOCAL",
    "--persist-to",
    e2e.stack.persistDir,
    "--json",
    "--command",
    `SELECT blob1, blob2, blob3, blob6, double1, double2, double3, double5 FROM playback_events WHERE index1 = '${videoId}' ORDER BY double6, rowid`,
  ]);
  // Before the first event the table does not exist yet: nothing stored.
  if (run.status !== 0) return [];
  return (JSON.parse(run.stdout) as { results: Row[] }[])[0]!.results;
}

describe("player beacons", () => {
  let videoId: string;
  beforeAll(async () => {
    const owner = await e2e.api.register();
    const file = path.join(e2e.work, "beacons.mp4");
    makeClip(file, 30);
    videoId = await e2e.api.upload(owner, file, { title: "Beacons" });
    await e2e.api.waitReady(owner, videoId);
  }, 400_000);

  it("sends start (with its startup time), heartbeats, a seek and a pause, flushed when the page is left", async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const errors = collectErrors(page);
    // Came from a search: the traffic source is the referring page.
    await page.goto(`${e2e.stack.url}/watch/${videoId}`, { referer: `${e2e.stack.url}/search?q=beacons` });
    // The beacon script is among those loaded after the first frame (or 3 s, without playback).
    await page.waitForFunction(
      () => performance.getEntriesByType("resource").some((r) => /\/beacons-[A-Z0-9]+\.js$/.test(r.name)),
      undefined,
      { timeout: 60_000 },
    );
    await page.evaluate(async () => {
      const video = document.getElementById("video") as HTMLVideoElement;
      video.muted = true;
      await video.play();
      // Past one heartbeat (every 10 s while playing).
      while (video.currentTime < 11) await new Promise((r) => setTimeout(r, 100));
      video.currentTime = 20;
      await new Promise((r) => video.addEventListener("seeked", r, { once: true }));
      await new Promise((r) => setTimeout(r, 500));
      video.pause();
    });
    // Leaving the page (hidden, then gone) flushes what the 30 s flush has not sent yet.
    await page.goto(`${e2e.stack.url}/`);
    let rows: Row[] = [];
    for (let i = 0; i < 40 && !rows.some((r) => r.blob1 === "pause"); i++) {
      await new Promise((r) => setTimeout(r, 500));
      rows = storedEvents(videoId);
    }
    const types = rows.map((r) => r.blob1);
    expect(types[0]).toBe("start");
    expect(types).toContain("heartbeat");
    expect(types).toContain("seek");
    expect(types.at(-1)).toBe("pause");
    const [start] = rows;
    expect(start!.double3, "startup_ms").toBeGreaterThan(0);
    expect(start!.double3).toBeLessThan(60_000);
    // One session, from search, the rendition on screen, the video's length.
    expect(new Set(rows.map((r) => r.blob2)).size).toBe(1);
    expect(rows.every((r) => r.blob3 === "search")).toBe(true);
    expect(rows.every((r) => /^\d+p$/.test(r.blob6))).toBe(true);
    expect(rows.every((r) => Math.abs(r.double5 - 30) < 1)).toBe(true);
    const seek = rows.find((r) => r.blob1 === "seek")!;
    expect(seek.double1).toBeCloseTo(20, 0);
    // Where it left: the last timeupdate before the seek (they come every 250 ms at most).
    expect(seek.double2).toBeGreaterThan(10.5);
    expect(seek.double2).toBeLessThan(20);
    expect(errors).toEqual([]);
    await context.close();
  }, 180_000);

  it("a page left while playing says where it got to, to the second, not to the last heartbeat", async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${e2e.stack.url}/watch/${videoId}`);
    await page.waitForFunction(
      () => performance.getEntriesByType("resource").some((r) => /\/beacons-[A-Z0-9]+\.js$/.test(r.name)),
      undefined,
      { timeout: 60_000 },
    );
    const before = storedEvents(videoId).length;
    const reached = await page.evaluate(async () => {
      const video = document.getElementById("video") as HTMLVideoElement;
      video.muted = true;
      await video.play();
      // Short of the first heartbeat (10 s from the script's start): only the leave can tell.
      while (video.currentTime < 6) await new Promise((r) => setTimeout(r, 100));
      return video.currentTime;
    });
    // Left while still playing.
    await page.goto(`${e2e.stack.url}/`);
    let rows: Row[] = [];
    for (let i = 0; i < 40 && !rows.some((r) => r.blob1 === "pause"); i++) {
      await new Promise((r) => setTimeout(r, 500));
      rows = storedEvents(videoId).slice(before);
    }
    const pause = rows.find((r) => r.blob1 === "pause");
    expect(pause, "a pause sent on leaving").toBeDefined();
    expect(pause!.double1).toBeGreaterThanOrEqual(reached - 0.5);
    expect(pause!.double1).toBeLessThan(reached + 3);
    await context.close();
  }, 180_000);
});
