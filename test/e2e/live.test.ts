import path from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium } from "./browser";
import { type Account, makeClip } from "./clients";
import { runningStack } from "./stack";

const e2e = runningStack("live");
let browser: Browser;

beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

/** The comments a watch page shows, top level, in the page's order (newest first). */
const shown = (page: Page) => page.locator("#comment-list > li.comment > .comment-body").allTextContents();

describe("the live room in Chromium", () => {
  it("three watchers see comments in order; one in top view; one drops, reconnects and fills the gap", async () => {
    const owner = await e2e.api.register();
    const clip = path.join(e2e.work, "clip.mp4");
    makeClip(clip, 4);
    const videoId = await e2e.api.upload(owner, clip, { title: "A live premiere" });
    await e2e.api.waitReady(owner, videoId);

    const pages: Page[] = [];
    for (let i = 0; i < 3; i++) {
      const page = await (await browser.newContext({ viewport: { width: 1100, height: 800 } })).newPage();
      await page.goto(`${e2e.stack.url}/watch/${videoId}`);
      await page
        .locator("#comments-live")
        .filter({ hasText: /live|sample/ })
        .waitFor();
      pages.push(page);
    }
    const [all, top, dropper] = pages as [Page, Page, Page];
    // The second watcher asks for top comments (a sample of at most 8 a second).
    await top.getByRole("button", { name: "Top comments" }).click();
    await top.getByRole("button", { name: "All comments" }).waitFor();
    await top.locator("#comments-live").filter({ hasText: "top comments" }).waitFor();

    const say = (who: Account, content: string) =>
      e2e.api.call(who, `/api/v1/videos/${videoId}/comments`, { method: "POST", body: JSON.stringify({ content }) });
    const people = await Promise.all(Array.from({ length: 6 }, () => e2e.api.register()));
    const first = ["one", "two", "three"];
    for (const [i, text] of first.entries()) await say(people[i] as Account, text);
    await all.locator("#comment-list .comment-body", { hasText: "three" }).waitFor();
    await dropper.locator("#comment-list .comment-body", { hasText: "three" }).waitFor();

    // The third watcher's connection drops; comments go on meanwhile.
    await dropper.context().setOffline(true);
    const missed = ["four", "five", "six"];
    for (const [i, text] of missed.entries()) await say(people[i + 3] as Account, text);
    await all.locator("#comment-list .comment-body", { hasText: "six" }).waitFor();
    await dropper.waitForTimeout(1500);
    expect(await shown(dropper)).not.toContain("four");
    await dropper.context().setOffline(false);
    // Back: the room's backlog fills what it missed, in order, with nothing twice.
    await dropper.locator("#comment-list .comment-body", { hasText: "six" }).waitFor({ timeout: 45_000 });
    const expected = [...first, ...missed].reverse();
    expect(await shown(dropper)).toEqual(expected);
    expect(await shown(all)).toEqual(expected);

    // The owner's comment always reaches top view.
    await say(owner, "the owner says hello");
    await top.locator("#comment-list .comment-body", { hasText: "the owner says hello" }).waitFor();
    const topShown = await shown(top);
    expect(topShown.length).toBeLessThanOrEqual(expected.length + 1);
    expect(topShown[0]).toBe("the owner says hello");
  });
});
