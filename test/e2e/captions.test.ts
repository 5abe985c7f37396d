import { writeFileSync } from "node:fs";
import path from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { collectErrors, launchChromium, screenshot, signUp } from "./browser";
import { makeClip } from "./clients";
import { runningStack } from "./stack";

const e2e = runningStack("captions");
let browser: Browser;

/** The text of the player's showing subtitle track's active cues (the video's own textTracks). */
const shownCues = (page: Page) =>
  page.evaluate(() => {
    const video = document.getElementById("video") as HTMLVideoElement;
    return Array.from(video.textTracks)
      .filter((t) => t.kind === "subtitles" && t.mode === "showing")
      .flatMap((t) => Array.from(t.activeCues ?? []).map((c) => (c as VTTCue).text));
  });

const currentTime = (page: Page) =>
  page.evaluate(() => (document.getElementById("video") as HTMLVideoElement).currentTime);

describe("captions in Chromium", () => {
  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it("an owner adds captions in the studio; a viewer turns them on, searches what is said and lands on it", async () => {
    // A word that only the captions hold: letters only, ending in one porter keeps.
    const said = `quokka${Array.from({ length: 6 }, () => String.fromCharCode(97 + Math.floor(Math.random() * 26))).join("")}k`;
    const clip = path.join(e2e.work, "talk.mp4");
    makeClip(clip, 24);
    const vtt = path.join(e2e.work, "talk.en.vtt");
    writeFileSync(
      vtt,
      `WEBVTT\n\n00:00:01.000 --> 00:00:09.000\nWelcome to the captions test\n\n00:00:15.000 --> 00:00:19.500\nHere we say ${said} out loud\n`,
    );

    // The owner uploads a video and follows it to ready.
    const owner = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
    const ownerErrors = collectErrors(owner);
    await signUp(owner, e2e.stack.url, "captioner");
    await owner.goto(`${e2e.stack.url}/upload`);
    await owner.setInputFiles("#file", clip);
    await owner.getByLabel("Title").fill("A talk about nothing in particular");
    await owner.getByRole("button", { name: "Upload" }).click();
    await owner.locator("#processing-h", { hasText: "Ready" }).waitFor({ timeout: 240_000 });
    const videoId = (await owner.locator("#watch-link").getAttribute("href"))?.split("/").pop() ?? "";
    expect(videoId).toBeTruthy();

    // The studio's captions form: a file and its language, posted as a plain form.
    await owner.goto(`${e2e.stack.url}/studio`);
    const form = owner.getByRole("form", { name: "Captions for A talk about nothing in particular" });
    await owner.locator(".studio-item summary", { hasText: "Captions" }).click();
    await form.getByLabel("WebVTT or SRT file").setInputFiles(vtt);
    await form.getByLabel("Language").fill("en");
    await form.getByRole("button", { name: "Upload captions" }).click();
    await owner.waitForURL("**/studio?notice=*");
    expect(await owner.getByRole("status").textContent()).toBe("Captions saved: English");
    await screenshot(owner, "studio-captions");
    expect(ownerErrors).toEqual([]);

    // A viewer whose browser speaks French: nothing is on until the captions menu turns English on.
    const viewer = await (
      await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: "fr-FR" })
    ).newPage();
    const viewerErrors = collectErrors(viewer);
    await viewer.goto(`${e2e.stack.url}/watch/${videoId}`);
    await viewer.locator("hls-video > track[kind=subtitles][srclang=en]").waitFor({ state: "attached" });
    await viewer.waitForFunction(() => (document.getElementById("video") as HTMLVideoElement).readyState >= 1, null, {
      timeout: 30_000,
    });
    expect(await shownCues(viewer)).toEqual([]);
    // media-chrome's controls come once the first frame is out (player.ts).
    await viewer.waitForFunction(() => !!customElements.get("media-captions-menu"), null, { timeout: 30_000 });
    await viewer.locator("media-captions-menu-button").click();
    const english = viewer.locator("media-captions-menu media-chrome-menu-item", { hasText: "English" });
    await english.waitFor({ timeout: 10_000 });
    await screenshot(viewer, "watch-captions-menu");
    await english.click();
    await viewer.evaluate(async () => {
      const video = document.getElementById("video") as HTMLVideoElement;
      video.muted = true;
      video.currentTime = 2;
      await video.play();
    });
    await expect.poll(() => shownCues(viewer), { timeout: 20_000 }).toEqual(["Welcome to the captions test"]);
    await screenshot(viewer, "watch-captions");

    // Search for the word only said: the hit's moment links to the second it is said, and
    // the player starts there.
    await viewer.goto(`${e2e.stack.url}/search?q=${said}`);
    const moment = viewer.locator(".video-card .moments a").first();
    await moment.waitFor();
    expect(await moment.getAttribute("href")).toBe(`/watch/${videoId}?t=15`);
    expect(await moment.locator("mark").textContent()).toBe(said);
    await screenshot(viewer, "search-moments");
    await moment.click();
    await viewer.waitForURL(`**/watch/${videoId}?t=15`);
    await viewer.waitForFunction(() => (document.getElementById("video") as HTMLVideoElement).readyState >= 2, null, {
      timeout: 30_000,
    });
    expect(Math.abs((await currentTime(viewer)) - 15)).toBeLessThanOrEqual(1);
    expect(viewerErrors).toEqual([]);
  });
});
