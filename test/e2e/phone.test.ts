import path from "node:path";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { collectErrors, launchChromium, screenshot, signUp } from "./browser";
import { makeClip } from "./clients";
import { runningStack } from "./stack";

const e2e = runningStack("phone");
let browser: Browser;

/** A phone held upright: 390 × 844 CSS pixels, touch. */
const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 };

describe("the web app on a phone, in Chromium", () => {
  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it("an owner uploads a portrait video privately, follows it to ready, and watches it", async () => {
    const clip = path.join(e2e.work, "portrait.mp4");
    makeClip(clip, 20, "360x640");
    const context = await browser.newContext(PHONE);
    // Every value a page gives its processing bar, by page, so that a step backwards cannot
    // go unseen (the watch page reloads into the player once the video plays).
    const bars = new Map<string, number[]>();
    await context.exposeBinding("recordProcessing", ({ page }, value: number) => {
      const key = new URL(page.url()).pathname;
      bars.set(key, [...(bars.get(key) ?? []), value]);
    });
    await context.addInitScript(() => {
      const record = (window as unknown as { recordProcessing(v: number): void }).recordProcessing;
      const value = Object.getOwnPropertyDescriptor(HTMLProgressElement.prototype, "value")!;
      Object.defineProperty(HTMLProgressElement.prototype, "value", {
        ...value,
        set(this: HTMLProgressElement, v: number) {
          if (this.id === "processing-progress") record(Number(v));
          value.set!.call(this, v);
        },
      });
    });
    // Status polls answer late, as over a slow network: each poll is answered with what the
    // page's previous poll read, a few seconds old, while the room's live messages are not.
    const lastRead = new Map<string, string>();
    await context.route("**/api/v1/videos/*/status", async (route) => {
      const response = await route.fetch();
      const fresh = await response.text();
      const asker = `${route.request().frame().url()} ${route.request().url()}`;
      await route.fulfill({ response, body: lastRead.get(asker) ?? fresh });
      lastRead.set(asker, fresh);
    });
    const page = await context.newPage();
    const errors = collectErrors(page);

    await signUp(page, e2e.stack.url, "phone");
    await page.goto(`${e2e.stack.url}/upload`);
    await page.setInputFiles("#file", clip);
    await page.getByLabel("Title").fill("Held upright");
    await page.getByLabel("private").check();
    await page.getByRole("button", { name: "Upload" }).click();
    await page.locator("#processing-section").waitFor({ timeout: 120_000 });
    const watchPath = (await page.locator("#watch-link").getAttribute("href"))!;

    // The watch page of a video still processing shows the same progress, from the same two sources.
    const watching = await context.newPage();
    const watchErrors = collectErrors(watching);
    await watching.goto(`${e2e.stack.url}${watchPath}`);

    // Uploaded: the filled form gives way to the video's processing.
    await expect.poll(() => page.locator("#upload-progress-h").textContent()).toBe("Uploaded");
    expect(await page.locator("#upload-form").isHidden()).toBe(true);

    // Processing, followed to the end: each bar only ever moves forward.
    await page.locator("#processing-h", { hasText: "Ready" }).waitFor({ timeout: 240_000 });
    expect(await page.locator("#processing-text").textContent()).toBe("ready · 100%");
    expect(await page.locator("#watch-link").textContent()).toBe("Watch your video");
    await watching.locator("#player").waitFor({ timeout: 60_000 });
    const onUpload = bars.get("/upload") ?? [];
    expect(onUpload.length).toBeGreaterThan(3);
    expect(onUpload.at(-1)).toBe(100);
    expect(onUpload).toEqual([...onUpload].sort((a, b) => a - b));
    const onWatch = bars.get(watchPath) ?? [];
    expect(onWatch.length).toBeGreaterThan(0);
    expect(onWatch).toEqual([...onWatch].sort((a, b) => a - b));
    await screenshot(page, "upload-phone");
    await context.unroute("**/api/v1/videos/*/status");
    await watching.close();
    expect(watchErrors).toEqual([]);

    // Another upload starts from an empty form.
    await page.getByRole("link", { name: "Upload another" }).click();
    await page.locator("#upload-form").waitFor();
    expect(await page.getByLabel("Title").inputValue()).toBe("");
    expect(await page.locator("#processing-section").isHidden()).toBe(true);

    // The owner watches her private portrait video: a poster that loads (it carries the
    // playback token), no button to subscribe to herself.
    await page.goto(`${e2e.stack.url}${watchPath}`);
    expect(await page.locator("media-poster-image").getAttribute("src")).toMatch(/\/thumbnails\/[^?]+\?token=/);
    expect(await page.locator("button.subscribe").count()).toBe(0);
    await page.locator("media-play-button").click();
    await page.waitForFunction(() => (document.getElementById("video") as HTMLVideoElement).currentTime > 1.5, null, {
      timeout: 30_000,
    });

    // The quality badge names renditions as the menu and the API do: by the short side (this
    // video's renditions are 360x640, 240x426 and 144x256: "360p", "240p", "144p", never "640p").
    const names = await page.evaluate(async (path) => {
      const video = await (await fetch(`/api/v1/videos${path.slice("/watch".length)}`)).json();
      return (video.renditions as { name: string }[]).map((r) => r.name);
    }, watchPath);
    expect(names.filter((name) => name !== "audio").sort()).toEqual(["144p", "240p", "360p"]);
    const menu = () =>
      page.evaluate(() =>
        Array.from(
          document.querySelector("media-rendition-menu")!.shadowRoot!.querySelectorAll("media-chrome-menu-item"),
        )
          .map((item) => item.textContent!.trim())
          .filter((text) => /^\d+p$/.test(text)),
      );
    // (The menu lists what the master playlist listed when the page first fetched it.)
    await expect.poll(async () => (await menu()).length).toBeGreaterThan(0);
    const listed = await menu();
    for (const name of listed) expect(names).toContain(name);
    await expect.poll(() => page.locator("#current-level").textContent()).toMatch(/^(Auto · )?\d+p$/);
    const badge = (await page.locator("#current-level").textContent())!.replace("Auto · ", "");
    expect(listed).toContain(badge);

    // The phone's layout: a seek bar wide enough to use, on its own row above the buttons;
    // the whole picture above the control bar; a header whose items do not wrap.
    const layout = await page.evaluate(() => {
      const box = (selector: string) => document.querySelector(selector)!.getBoundingClientRect();
      const video = document.getElementById("video") as HTMLVideoElement;
      const frame = video.getBoundingClientRect();
      const scale = Math.min(frame.width / video.videoWidth, frame.height / video.videoHeight);
      const buttons = Array.from(document.querySelectorAll("media-control-bar > :not(media-time-range)"))
        .map((e) => e.getBoundingClientRect())
        .filter((b) => b.width > 0);
      const nav = Array.from(document.querySelectorAll(".site-header nav li"), (li) => li.getBoundingClientRect());
      return {
        range: box("media-time-range"),
        pictureBottom: frame.top + (frame.height + video.videoHeight * scale) / 2,
        pictureHeight: video.videoHeight * scale,
        bar: box("media-control-bar"),
        player: box("#player"),
        buttonsTop: Math.min(...buttons.map((b) => b.top)),
        navTops: nav.map((b) => Math.round(b.top)),
        navHeights: nav.map((b) => Math.round(b.height)),
        lineHeight: Number.parseFloat(getComputedStyle(document.querySelector(".site-header nav")!).lineHeight),
        overflow: document.documentElement.scrollWidth - window.innerWidth,
      };
    });
    expect(layout.range.width).toBeGreaterThanOrEqual(250);
    expect(layout.range.bottom).toBeLessThanOrEqual(layout.buttonsTop + 1);
    expect(layout.pictureHeight).toBeGreaterThan(200);
    expect(layout.pictureBottom).toBeLessThanOrEqual(layout.bar.top + 1);
    expect(layout.bar.bottom).toBeLessThanOrEqual(layout.player.bottom + 1);
    expect(new Set(layout.navTops).size).toBe(1);
    for (const height of layout.navHeights) expect(height).toBeLessThan(layout.lineHeight * 1.5);
    expect(layout.overflow).toBeLessThanOrEqual(0);
    await expect(page.getByRole("button", { name: /^Sign out phone/ }).count()).resolves.toBe(1);
    await screenshot(page, "watch-phone-portrait");

    expect(errors).toEqual([]);
    await context.close();
  });
});
