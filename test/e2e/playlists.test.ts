import path from "node:path";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { collectErrors, launchChromium, screenshot, signUp } from "./browser";
import { makeClip } from "./clients";
import { runningStack } from "./stack";

const running = runningStack("playlists");
let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => browser?.close());

describe("playlists in Chromium", () => {
  it("a playlist of three short videos plays through to the third, with a countdown that can be cancelled; its owner reorders it by dragging", async () => {
    const { api, work, stack } = running;
    const owner = await api.register();
    const videos: string[] = [];
    for (const n of [1, 2, 3]) {
      const clip = path.join(work, `part${n}.mp4`);
      makeClip(clip, 2);
      videos.push(await api.upload(owner, clip, { title: `Part ${n}` }));
    }
    for (const id of videos) await api.waitReady(owner, id);
    const playlist = await api.call<{ id: string }>(owner, "/api/v1/playlists", {
      method: "POST",
      body: JSON.stringify({ title: "The whole story", visibility: "public" }),
    });
    for (const id of videos) {
      await api.call(owner, `/api/v1/playlists/${playlist.id}/items`, {
        method: "POST",
        body: JSON.stringify({ video_id: id }),
      });
    }

    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    const errors = collectErrors(page);
    // Play all: the first video, with the list beside it.
    await page.goto(`${stack.url}/playlist/${playlist.id}`);
    await page.getByRole("link", { name: "Play all" }).click();
    await page.waitForURL(`${stack.url}/watch/${videos[0]}?list=${playlist.id}`);
    await expect.poll(() => page.locator("#playlist-panel").textContent()).toContain("1 / 3");

    // The first ends; the countdown names the next; cancelling it stays here.
    await page.locator("#autoplay-next").waitFor({ state: "visible", timeout: 30_000 });
    expect(await page.locator("#autoplay-title").textContent()).toBe("Part 2");
    await page.getByRole("button", { name: "Cancel" }).click();
    await page.waitForTimeout(6500);
    expect(page.url()).toBe(`${stack.url}/watch/${videos[0]}?list=${playlist.id}`);

    // Played again, it goes on by itself: to the second, then the third.
    await page.evaluate(() => {
      const video = document.getElementById("video") as HTMLVideoElement;
      video.currentTime = 0;
      return video.play();
    });
    await page.waitForURL(`${stack.url}/watch/${videos[1]}?list=${playlist.id}`, { timeout: 30_000 });
    await page.waitForURL(`${stack.url}/watch/${videos[2]}?list=${playlist.id}`, { timeout: 30_000 });
    // The third plays (it started by itself) and is the end of the list.
    await expect
      .poll(() => page.evaluate(() => (document.getElementById("video") as HTMLVideoElement).currentTime), {
        timeout: 20_000,
      })
      .toBeGreaterThan(0.5);
    const panel = (await page.locator("#playlist-panel").textContent()) ?? "";
    expect(panel).toContain("3 / 3");
    expect(panel).toContain("This is the end of the list.");
    expect(await page.locator(".panel-item[aria-current='true']").textContent()).toContain("Part 3");
    await screenshot(page, "playlist-third");
    expect(errors).toEqual([]);
    await context.close();

    // Its owner drags the third above the first on /playlist/{id}: the order is kept, ids too.
    const before = await api.call<{ items: { id: string; video: { id: string } }[] }>(
      owner,
      `/api/v1/playlists/${playlist.id}/items`,
    );
    const ownerContext = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const ownerPage = await ownerContext.newPage();
    const ownerErrors = collectErrors(ownerPage);
    await ownerPage.goto(`${stack.url}/login?next=/playlist/${playlist.id}`);
    await ownerPage.locator("#login-email").fill(`${owner.username}@example.com`);
    await ownerPage.locator("#login-password").fill("a long password");
    await ownerPage.getByRole("button", { name: "Sign in" }).click();
    await ownerPage.waitForURL(`${stack.url}/playlist/${playlist.id}`);
    const titles = () => ownerPage.locator("li.playlist-item .card-title").allTextContents();
    expect(await titles()).toEqual(["Part 1", "Part 2", "Part 3"]);
    const items = ownerPage.locator("li.playlist-item");
    await items.nth(2).dragTo(items.nth(0), { targetPosition: { x: 20, y: 5 } });
    await expect.poll(() => ownerPage.locator("#playlist-status").textContent()).toBe("Moved.");
    expect(await titles()).toEqual(["Part 3", "Part 1", "Part 2"]);
    await ownerPage.reload();
    expect(await titles()).toEqual(["Part 3", "Part 1", "Part 2"]);
    const after = await api.call<{ items: { id: string; video: { id: string } }[] }>(
      owner,
      `/api/v1/playlists/${playlist.id}/items`,
    );
    expect(after.items.map((i) => i.video.id)).toEqual([videos[2], videos[0], videos[1]]);
    expect(new Set(after.items.map((i) => i.id))).toEqual(new Set(before.items.map((i) => i.id)));
    expect(ownerErrors).toEqual([]);
    await ownerContext.close();
  });

  it("Save puts a video in Watch later, and a new playlist, from the watch page", async () => {
    const { api, work, stack } = running;
    const owner = await api.register();
    const clip = path.join(work, "keep.mp4");
    makeClip(clip, 2);
    const video = await api.upload(owner, clip, { title: "Keep for later" });
    await api.waitReady(owner, video);

    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    const errors = collectErrors(page);
    await signUp(page, stack.url, "saver");
    await page.goto(`${stack.url}/watch/${video}`);
    await page.getByRole("button", { name: "Save", exact: true }).click();
    const dialog = page.locator("#save-dialog");
    await dialog.getByLabel("Watch later").check();
    await expect.poll(() => page.locator("#save-status").textContent()).toBe("Saved to Watch later.");
    await dialog.getByLabel("New playlist").fill("Favourites");
    await dialog.getByRole("button", { name: "Create and save" }).click();
    await expect.poll(() => page.locator("#save-status").textContent()).toBe("Saved to Favourites.");
    await dialog.getByRole("button", { name: "Done" }).click();

    await page.goto(`${stack.url}/playlist/watch_later`);
    expect(await page.locator(".playlist-item").allTextContents()).toEqual([expect.stringContaining("Keep for later")]);
    await page.goto(`${stack.url}/playlists`);
    expect(await page.locator(".playlist-card .card-title").allTextContents()).toEqual(["Watch later", "Favourites"]);
    // Unchecking takes it out again.
    await page.goto(`${stack.url}/watch/${video}`);
    await page.getByRole("button", { name: "Save", exact: true }).click();
    await page.locator("#save-dialog").getByLabel("Watch later").uncheck();
    await expect.poll(() => page.locator("#save-status").textContent()).toBe("Removed from Watch later.");
    await page.goto(`${stack.url}/playlist/watch_later`);
    expect(await page.locator(".playlist-item").count()).toBe(0);
    expect(errors).toEqual([]);
    await context.close();
  });
});
