import { spawnSync } from "node:child_process";
import path from "node:path";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium, screenshot, signUp } from "./browser";
import { makeClip } from "./clients";
import { runningStack } from "./stack";

const e2e = runningStack("moderation");
const root = path.resolve(import.meta.dirname, "../..");
let browser: Browser;

beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

describe("trust and safety on the running stack, in Chromium", () => {
  it("a viewer reports a playing video, an admin made with npm run admin blocks it, and the player stops", async () => {
    const owner = await e2e.api.register();
    const clip = path.join(e2e.work, "long.mp4");
    makeClip(clip, 40);
    const videoId = await e2e.api.upload(owner, clip, { title: "A video someone will report" });
    await e2e.api.waitReady(owner, videoId);

    // The viewer plays it and reports it from the watch page, at the time the player is at.
    const viewer = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
    await signUp(viewer, e2e.stack.url, "viewer");
    await viewer.goto(`${e2e.stack.url}/watch/${videoId}`);
    await viewer.evaluate(() => (document.getElementById("video") as HTMLVideoElement).play());
    await viewer.waitForFunction(
      () => ((document.getElementById("video") as HTMLVideoElement | null)?.currentTime ?? 0) > 1,
      null,
      {
        timeout: 30_000,
      },
    );
    await viewer.getByRole("button", { name: "Report" }).click();
    const dialog = viewer.locator("#report-dialog");
    await dialog.waitFor();
    expect(Number(await viewer.locator("#report-start").inputValue())).toBeGreaterThanOrEqual(1);
    await dialog.getByLabel("Violent or repulsive content").check();
    await dialog.getByLabel("Anything a moderator should know (optional)").fill("Starts right away");
    await dialog.getByRole("button", { name: "Send report" }).click();
    await viewer.getByText("Thanks. A moderator will look at it").waitFor();

    // An admin, made from the command line on the stack's own database.
    const adminPage = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
    const adminName = await signUp(adminPage, e2e.stack.url, "admin");
    const granted = spawnSync(
      path.join(root, "node_modules/.bin/node"),
      ["scripts/admin.mjs", "grant", `${adminName}@example.com`, "admin"],
      { cwd: root, encoding: "utf8", env: { ...process.env, PERSIST_DIR: e2e.stack.persistDir } },
    );
    expect(granted.status, granted.stderr).toBe(0);
    expect(granted.stdout).toContain(`${adminName} <${adminName}@example.com> is now admin`);
    expect(granted.stdout).toContain("npx wrangler d1 execute DB --remote");

    // The role applies at the next request: the queue shows the report, and the admin blocks it.
    await adminPage.goto(`${e2e.stack.url}/moderation`);
    const item = adminPage.locator(".queue-item", { hasText: "A video someone will report" });
    await item.waitFor();
    await item.getByText("Violent or repulsive content").waitFor();
    await item.getByText("Starts right away").waitFor();
    await screenshot(adminPage, "moderation-queue");
    await item.getByPlaceholder("Why (shown in the log)").fill("Reported violence");
    await item.getByRole("button", { name: "Block the video" }).click();
    await adminPage.getByRole("status").getByText("Report accepted: block_video").waitFor();

    // The viewer's player stops with a message, within a second or two, and the video is gone for good.
    const started = Date.now();
    await viewer.getByRole("alert").getByText("This video was blocked by a moderator.").waitFor({ timeout: 5000 });
    expect(Date.now() - started).toBeLessThan(5000);
    expect(await viewer.evaluate(() => document.querySelector<HTMLVideoElement>("#video")?.paused ?? true)).toBe(true);
    await screenshot(viewer, "blocked-while-playing");
    const master = await fetch(`${e2e.stack.url}/videos/${videoId}/master.m3u8`);
    expect(master.status).toBe(451);
    const reloaded = await viewer.goto(`${e2e.stack.url}/watch/${videoId}`);
    expect(reloaded?.status()).toBe(451);

    // The reporter hears the outcome; the owner sees why.
    const notices = await e2e.api.call<{ items: { type: string; message: string }[] }>(
      owner,
      "/api/v1/users/me/notifications",
    );
    expect(notices.items.map((n) => n.type)).toContain("video_blocked");
  });
});
