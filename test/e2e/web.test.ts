import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { collectErrors, launchChromium, screenshot, signUp as signUpAs } from "./browser";
import { ffmpeg } from "./clients";
import { type Stack, startStack } from "./stack";

let stack: Stack;
let browser: Browser;
let work: string;

/** A clip bigger than two of the upload page's 8 MiB tus requests, so one can be cut mid-way. */
function bigClip(file: string) {
  const made = spawnSync(ffmpeg, [
    ...["-hide_banner", "-loglevel", "error", "-y"],
    ...["-f", "lavfi", "-i", "testsrc2=size=1280x720:rate=30", "-f", "lavfi", "-i", "sine", "-t", "12"],
    ...["-c:v", "libx264", "-preset", "ultrafast", "-b:v", "14M", "-maxrate", "14M", "-bufsize", "14M"],
    ...["-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest", file],
  ]);
  expect(made.status, String(made.stderr)).toBe(0);
  expect(statSync(file).size).toBeGreaterThan(17 * 1024 * 1024);
}

const signUp = (page: Page, name: string) => signUpAs(page, stack.url, name);

/** Hovers across the seek bar and answers the preview image it shows (a storyboard tile). */
async function seekPreview(page: Page): Promise<string | null> {
  const range = page.locator("media-time-range");
  const box = (await range.boundingBox())!;
  await page.mouse.move(box.x + box.width * 0.3, box.y + box.height / 2);
  await page.mouse.move(box.x + box.width * 0.6, box.y + box.height / 2);
  return range.getAttribute("mediapreviewimage");
}

const currentTime = (page: Page) =>
  page.evaluate(() => (document.getElementById("video") as HTMLVideoElement).currentTime);

describe("the web app in Chromium", () => {
  beforeAll(async () => {
    work = mkdtempSync(path.join(tmpdir(), "e2e-web-"));
    [stack, browser] = await Promise.all([startStack(), launchChromium()]);
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it("a person signs up, uploads (surviving a cut), watches, comments live, resumes, subscribes", async () => {
    const clip = path.join(work, "journey.mp4");
    bigClip(clip);
    const uploaderContext: BrowserContext = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await uploaderContext.newPage();
    const errors = collectErrors(page);

    // Sign up.
    const username = await signUp(page, "maker");
    await page.getByRole("button", { name: `Sign out ${username}` }).waitFor({ timeout: 5000 });
    await screenshot(page, "home");

    // Upload through /upload; the second tus PATCH is cut, and the upload carries on.
    let patches = 0;
    let cut = false;
    await page.route("**/api/v1/uploads/tus/*", async (route) => {
      if (route.request().method() === "PATCH" && ++patches === 2) {
        cut = true;
        return route.abort("connectionreset");
      }
      return route.continue();
    });
    await page.goto(`${stack.url}/upload`);
    await page.setInputFiles("#file", clip);
    await page.getByLabel("Title").fill("Journey through the test pattern");
    await page.getByLabel("Description").fill("Made by the browser test. <b>not bold</b>");
    await page.getByLabel("Tags (comma-separated)").fill("journey, e2e");
    await page.getByLabel("Category").selectOption("Education");
    await page.getByRole("button", { name: "Upload" }).click();
    await page.locator("#processing-section").waitFor({ state: "visible", timeout: 120_000 });
    expect(cut).toBe(true);
    expect(patches).toBeGreaterThanOrEqual(4); // 3 requests of 8 MiB or less, one of them twice
    // Uploaded: the filled form is gone, the page says so and offers another upload.
    await expect.poll(() => page.locator("#upload-progress-h").textContent()).toBe("Uploaded");
    expect(await page.locator("#upload-form").isHidden()).toBe(true);
    expect(await page.getByRole("link", { name: "Upload another" }).getAttribute("href")).toBe("/upload");
    await screenshot(page, "upload");

    // Processing progress arrives live, then the link to the video.
    await page.locator("#processing-text").filter({ hasText: "%" }).waitFor({ timeout: 120_000 });
    const link = page.locator("#watch-link");
    await link.waitFor({ state: "visible", timeout: 240_000 });
    const href = await link.getAttribute("href");
    const videoId = href!.split("/").pop()!;
    const video = (await (await fetch(`${stack.url}/api/v1/videos/${videoId}`)).json()) as Record<string, any>;
    expect(video).toMatchObject({ tags: ["journey", "e2e"], category: "Education" });

    // Play: the player's clock advances, and the quality menu names the current level.
    await link.click();
    await page.waitForURL(`**/watch/${videoId}`);
    await page.locator("media-play-button").click();
    // From the beginning (not the live edge of a video still processing), and moving.
    await page.waitForFunction(
      () => {
        const t = (document.getElementById("video") as HTMLVideoElement).currentTime;
        return t > 0.2 && t < 3;
      },
      null,
      { timeout: 30_000 },
    );
    await page.waitForFunction(() => (document.getElementById("video") as HTMLVideoElement).currentTime > 1.5, null, {
      timeout: 60_000,
    });
    await expect.poll(() => page.locator("#current-level").textContent(), { timeout: 10_000 }).toMatch(/\d+p$/);
    // Seek-bar thumbnails from the storyboard, once processing has made it: hovering the
    // time range previews a tile of the sprite.
    await page.locator("hls-video > track[label=thumbnails]").waitFor({ state: "attached", timeout: 240_000 });
    await expect
      .poll(() => seekPreview(page), { timeout: 20_000 })
      .toMatch(/\/storyboard\/sprite\.jpg#xywh=\d+,\d+,\d+,\d+$/);
    await screenshot(page, "watch");

    // A second browser sees a comment appear live, as text.
    const viewerContext = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true });
    const viewer = await viewerContext.newPage();
    const viewerErrors = collectErrors(viewer);
    await viewer.goto(`${stack.url}/watch/${videoId}`);
    await viewer.locator("#comments-live").filter({ hasText: "live" }).waitFor();
    const words = `Live from the test <img src=x onerror="alert(1)"> ${Date.now()}`;
    await page.getByLabel("Add a comment").fill(words);
    await page.getByRole("button", { name: "Comment", exact: true }).click();
    await viewer.locator("#comment-list .comment-body", { hasText: words }).waitFor({ timeout: 15_000 });
    expect(await viewer.locator("#comment-list img").count()).toBe(0);
    // A phone-sized screen: nothing wider than the screen.
    expect(await viewer.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
    await screenshot(viewer, "watch-phone");

    // Pause mid-way: the position is saved; history shows it and the video resumes there.
    await page.evaluate(async () => {
      const v = document.getElementById("video") as HTMLVideoElement;
      v.currentTime = 4;
      await v.play();
    });
    await page.waitForFunction(() => (document.getElementById("video") as HTMLVideoElement).currentTime > 5);
    const pausedAt = await page.evaluate(() => {
      const v = document.getElementById("video") as HTMLVideoElement;
      v.pause();
      return v.currentTime;
    });
    expect(pausedAt).toBeLessThan(10);
    // Positions reach history through the watch_events queue: the page shows the pause's
    // position once it has been consumed.
    const stoppedAt = new RegExp(`stopped at 0:0${Math.floor(pausedAt)} of 0:1[12]`);
    await expect
      .poll(
        async () => {
          await page.goto(`${stack.url}/history`);
          return page.locator(".history-item").allTextContents();
        },
        { timeout: 30_000, interval: 1000 },
      )
      .toEqual([expect.stringMatching(stoppedAt)]);
    await screenshot(page, "history");
    await page.locator(".history-link").click();
    await page.waitForFunction(() => (document.getElementById("video") as HTMLVideoElement).currentTime > 0, null, {
      timeout: 30_000,
    });
    expect(Math.abs((await currentTime(page)) - pausedAt)).toBeLessThan(1.5);

    // Search finds the video, when this deployment serves search.
    const search = await fetch(`${stack.url}/api/v1/search?q=journey`);
    if (search.status !== 404) {
      await page.goto(`${stack.url}/search?q=journey`);
      await page.locator(".video-card", { hasText: "Journey through the test pattern" }).waitFor();
      await screenshot(page, "search");
    } else {
      console.log("search is not served on this branch yet: the search step is skipped");
    }

    // Another person subscribes from the channel page.
    await signUp(viewer, "fan");
    await viewer.goto(`${stack.url}/watch/${videoId}`);
    await viewer.locator("a.channel-name").click();
    await viewer.waitForURL("**/channel/*");
    const subscribe = viewer.getByRole("button", { name: "Subscribe" });
    await subscribe.click();
    const channelId = viewer.url().split("/").pop()!;
    const route = await fetch(`${stack.url}/api/v1/channels/${channelId}/subscription`, { method: "POST" });
    if (route.status === 401) {
      await expect.poll(() => subscribe.getAttribute("aria-pressed")).toBe("true");
      const channel = (await (await fetch(`${stack.url}/api/v1/channels/${channelId}`)).json()) as Record<string, any>;
      expect(channel.subscriber_count).toBe(1);
    } else {
      await viewer.locator("#subscribe-status", { hasText: "Could not subscribe" }).waitFor();
      expect(await subscribe.getAttribute("aria-pressed")).toBe("false");
      // The one failed request this step expects while the route is missing.
      viewerErrors.splice(viewerErrors.indexOf(`404 POST /api/v1/channels/${channelId}/subscription`), 1);
      console.log("subscriptions are not served on this branch yet: the subscribe step only checks the message");
    }
    await screenshot(viewer, "channel");

    await page.goto(`${stack.url}/studio`);
    await screenshot(page, "studio");
    expect(errors).toEqual([]);
    expect(viewerErrors).toEqual([]);

    // Made private, the owner's page names the storyboard track with a playback token; when
    // the page fetches a fresh token (10 minutes before the first expires, here hours later
    // on the page's clock) it loads a track under the fresh token and drops the old one.
    await page.evaluate(async (id) => {
      const csrf = document.querySelector<HTMLMetaElement>('meta[name="csrf-token"]')!.content;
      const res = await fetch(`/api/v1/videos/${id}`, {
        method: "PATCH",
        headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
        body: JSON.stringify({ visibility: "private" }),
      });
      if (!res.ok) throw new Error(`PATCH ${res.status}`);
    }, videoId);
    await page.clock.install();
    await page.goto(`${stack.url}/watch/${videoId}`);
    const tracks = page.locator("hls-video > track[label=thumbnails]");
    const tokenOf = (src: string | null) => new URL(src!).searchParams.get("token");
    const first = tokenOf(await tracks.first().getAttribute("src"));
    expect(first).toBeTruthy();
    // The page's script past the player (watch.ts, which schedules the refresh) loads after the
    // first frame or 3 s (web/client/player.ts); under the installed clock the 3 s are run
    // here. It has run once the Share button answers (a listener of watch.ts).
    await page.clock.runFor(3100);
    await expect
      .poll(
        async () => {
          await page.locator("#share").click();
          return page.locator("#share-status").textContent();
        },
        { timeout: 20_000 },
      )
      .not.toBe("");
    await new Promise((resolve) => setTimeout(resolve, 1100)); // a fresh token is signed a second later
    await page.clock.fastForward("05:51:00");
    await expect
      .poll(async () => (await tracks.evaluateAll((all) => all.map((t) => (t as HTMLTrackElement).src))).map(tokenOf), {
        timeout: 20_000,
      })
      .toEqual([expect.not.stringMatching(`^${first}$`)]);
    // The seek bar previews sprites from the new track: under the fresh token.
    const fresh = tokenOf(await tracks.first().getAttribute("src"));
    await expect
      .poll(() => seekPreview(page), { timeout: 20_000 })
      .toContain(`sprite.jpg?token=${encodeURIComponent(fresh!)}#xywh=`);

    if (process.env.UPDATE_README_SCREENSHOT) {
      mkdirSync(path.resolve(import.meta.dirname, "../../docs/screenshots"), { recursive: true });
      copyFileSync(
        path.resolve(import.meta.dirname, "../../test-artifacts/watch.png"),
        path.resolve(import.meta.dirname, "../../docs/screenshots/watch.png"),
      );
    }
  });
});
