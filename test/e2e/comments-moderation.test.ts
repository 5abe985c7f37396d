import path from "node:path";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { collectErrors, launchChromium, screenshot, signUp } from "./browser";
import { type Account, makeClip } from "./clients";
import { runningStack } from "./stack";

const e2e = runningStack("comments-moderation");
let browser: Browser;

describe("the comments side of trust and safety, in Chromium", () => {
  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it("a viewer reports and blocks a troll from a comment's menu; the owner approves a held comment from the studio", async () => {
    const { api, stack } = e2e;
    // The owner has an account with a known password, to sign in through the page later.
    const n = `${Date.now()}`;
    const creds = { email: `owner${n}@example.com`, username: `owner${n}`, password: "a long password" };
    const made = await api.call<{ user: Account & { channel_id: string }; token: string }>(
      undefined,
      "/api/v1/auth/register",
      { method: "POST", body: JSON.stringify(creds) },
    );
    const owner: Account = { id: made.user.id, username: made.user.username, token: made.token };
    const clip = path.join(e2e.work, "clip.mp4");
    makeClip(clip, 2, "320x180");
    const videoId = await api.upload(owner, clip, { title: "Moderated comments" });
    await api.waitReady(owner, videoId);
    await api.call(owner, `/api/v1/channels/${made.user.channel_id}/moderation`, {
      method: "PUT",
      body: JSON.stringify({ held_words: ["heldword"], hold_links: false }),
    });
    const [troll, friend] = [await api.register(), await api.register()];
    const comment = (who: Account, content: string) =>
      api.call(who, `/api/v1/videos/${videoId}/comments`, { method: "POST", body: JSON.stringify({ content }) });
    await comment(troll, "troll was here");

    // A viewer blocks the troll from the comment's menu: the comment goes at once.
    const viewerContext = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await viewerContext.newPage();
    const errors = collectErrors(page);
    const viewer = await signUp(page, stack.url, "viewer");
    await page.goto(`${stack.url}/watch/${videoId}`);
    await page.locator("#comments-live", { hasText: "live" }).waitFor();
    const trolls = page.locator("li.comment", { hasText: "troll was here" });
    await trolls.waitFor();
    // The comment's menu reports it through the page's report dialog, and blocks its author.
    const menu = page.getByLabel(`More actions for ${troll.username}'s comment`);
    await menu.click();
    await trolls.getByRole("button", { name: "Report" }).click();
    const dialog = page.locator("#report-dialog");
    await dialog.getByLabel("Spam or misleading").check();
    await dialog.getByRole("button", { name: "Send report" }).click();
    await dialog.getByText("Thanks. A moderator will look at it").waitFor();
    await dialog.waitFor({ state: "hidden" });
    await menu.click();
    await trolls.getByRole("button", { name: "Block user" }).click();
    await page.locator("#comments-notice", { hasText: `You blocked ${troll.username}` }).waitFor();
    expect(await trolls.count()).toBe(0);

    // Live: the troll's next comment never shows; a friend's, posted after it, does.
    await comment(troll, "troll again");
    await comment(friend, "a friend's comment");
    await page.locator("li.comment", { hasText: "a friend's comment" }).waitFor();
    expect(await page.locator("li.comment", { hasText: "troll" }).count()).toBe(0);
    // A reload asks the server, which leaves the troll out too.
    await page.reload();
    await page.locator("li.comment", { hasText: "a friend's comment" }).waitFor();
    expect(await page.locator("li.comment", { hasText: "troll" }).count()).toBe(0);

    // The viewer's comment with a held word: marked for them, waiting for the owner.
    await page.locator("#comments-live", { hasText: "live" }).waitFor();
    await page.getByLabel("Add a comment").fill("Is heldword allowed here?");
    await page.getByRole("button", { name: "Comment", exact: true }).click();
    const mine = page.locator("li.comment", { hasText: "Is heldword allowed here?" });
    await mine.locator(".held-badge", { hasText: "Held for review" }).waitFor();
    await screenshot(page, "comment-held");

    // The owner approves it from the studio, by a plain form.
    const ownerPage = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
    const ownerErrors = collectErrors(ownerPage);
    await ownerPage.goto(`${stack.url}/login?next=/studio/comments`);
    await ownerPage.locator("#login-email").fill(creds.email);
    await ownerPage.locator("#login-password").fill(creds.password);
    await ownerPage.getByRole("button", { name: "Sign in" }).click();
    await ownerPage.waitForURL(`${stack.url}/studio/comments`);
    const held = ownerPage.locator("li.held-item", { hasText: "Is heldword allowed here?" });
    await held.waitFor();
    await screenshot(ownerPage, "studio-held-comments");
    await held.getByRole("button", { name: `Approve ${viewer}'s comment` }).click();
    await ownerPage.getByRole("status").filter({ hasText: "Approved" }).waitFor();
    expect(await ownerPage.getByText("No comments are waiting for review.").isVisible()).toBe(true);

    // Approved: it reaches the room, and the viewer's page drops the mark.
    await expect.poll(() => mine.locator(".held-badge").count(), { timeout: 10_000 }).toBe(0);
    expect(errors).toEqual([]);
    expect(ownerErrors).toEqual([]);
  });
});
