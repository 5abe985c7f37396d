// Creator analytics end to end (issue 23): a viewer plays a video in Chromium and leaves; its
// owner opens the studio's analytics page and sees the view, the watch time, where it came
// from and the retention curve, drawn as charts over the tables, minutes (here: seconds) after.
import path from "node:path";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { collectErrors, launchChromium, screenshot } from "./browser";
import type { Account } from "./clients";
import { makeClip } from "./clients";
import { runningStack } from "./stack";

const e2e = runningStack("analytics");
let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(() => browser?.close());

describe("the studio's analytics", () => {
  let owner: Account;
  let videoId: string;
  beforeAll(async () => {
    owner = await e2e.api.register();
    const file = path.join(e2e.work, "analytics.mp4");
    makeClip(file, 30);
    videoId = await e2e.api.upload(owner, file, { title: "Watched once" });
    await e2e.api.waitReady(owner, videoId);
  }, 400_000);

  it("shows the owner a view played in the browser: its count, its source and the retention curve", async () => {
    // A viewer, come from a search, watches 12 s of the 30 and leaves.
    const viewer = await browser.newContext();
    const watch = await viewer.newPage();
    await watch.goto(`${e2e.stack.url}/watch/${videoId}`, { referer: `${e2e.stack.url}/search?q=watched` });
    await watch.waitForFunction(
      () => performance.getEntriesByType("resource").some((r) => /\/beacons-[A-Z0-9]+\.js$/.test(r.name)),
      undefined,
      { timeout: 60_000 },
    );
    await watch.evaluate(async () => {
      const video = document.getElementById("video") as HTMLVideoElement;
      video.muted = true;
      await video.play();
      while (video.currentTime < 12) await new Promise((r) => setTimeout(r, 100));
      video.pause();
    });
    await watch.goto(`${e2e.stack.url}/`);
    await viewer.close();

    // The owner, signed in (the session cookie holds the same token as the API).
    const studio = await browser.newContext();
    await studio.addCookies([{ name: "session", value: owner.token, url: e2e.stack.url }]);
    const page = await studio.newPage();
    const errors = collectErrors(page);
    await page.goto(`${e2e.stack.url}/studio`);
    await page.getByRole("link", { name: "Analytics: Watched once" }).click();
    await page.waitForURL(`${e2e.stack.url}/studio/videos/${videoId}/analytics`);
    // The beacon left with the page: the view is there within seconds.
    for (let i = 0; i < 30; i++) {
      if ((await page.locator("#total-views").textContent()) === "1") break;
      await new Promise((r) => setTimeout(r, 1000));
      await page.reload();
    }
    expect(await page.locator("#total-views").textContent()).toBe("1");
    const sources = page.locator("#sources-table tbody tr");
    await expect.poll(() => sources.allTextContents()).toEqual([expect.stringMatching(/^Search\s*1\s*100\.0%$/)]);
    // Retention: the viewer was there at the start and left before half way (12 s of 30: 40%).
    const retention = await page.locator("#retention-table tbody tr").allTextContents();
    expect(retention[0]).toMatch(/0%\s*100\.0%/);
    expect(retention[3]).toMatch(/30%\s*100\.0%/);
    expect(retention[5]).toMatch(/50%\s*0\.0%/);
    // The charts are drawn (uPlot's canvases), above the tables.
    await expect.poll(() => page.locator("#views-chart canvas").count()).toBeGreaterThan(0);
    await expect.poll(() => page.locator("#retention-chart canvas").count()).toBeGreaterThan(0);
    expect(await page.locator("#retention-chart").isVisible()).toBe(true);
    const startup = await page.locator("#quality-table tbody tr").first().textContent();
    expect(startup).toMatch(/Startup time, median\s*[\d,]+ ms/);
    await screenshot(page, "studio-analytics");
    expect(errors).toEqual([]);
    await studio.close();
  }, 180_000);
});
