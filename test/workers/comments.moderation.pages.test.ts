import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { api, catalogueVideo, freshIp, registerUser, type TestUser } from "./fixtures";

// The pages of the comments side of trust and safety: the watch page's held and blocked
// comments, and /studio/comments (held comments, held words, blocked users) by plain forms.

const BASE = "http://cloudtube.test";

/** A browser's request: its cookie, and the Origin it sends with a form post. */
function browser(path: string, init: { cookie?: string; form?: Record<string, string> } = {}) {
  const headers = new Headers({ "CF-Connecting-IP": freshIp(), Accept: "text/html" });
  if (init.cookie) headers.set("Cookie", init.cookie);
  let body: string | undefined;
  if (init.form) {
    headers.set("Content-Type", "application/x-www-form-urlencoded");
    headers.set("Origin", BASE);
    body = new URLSearchParams(init.form).toString();
  }
  return exports.default.fetch(
    new Request(`${BASE}${path}`, { method: init.form ? "POST" : "GET", headers, body, redirect: "manual" }),
  );
}

/** Signs in through the login form: the session cookie and the pages' CSRF token. */
async function signIn(user: TestUser) {
  const res = await browser("/login", { form: { email: user.email, password: user.password, next: "/" } });
  expect(res.status).toBe(303);
  const cookie = res.headers.get("Set-Cookie")!.split(";")[0]!;
  const html = await (await browser("/", { cookie })).text();
  const csrf = /<meta name="csrf-token" content="([^"]+)"/.exec(html)![1]!;
  return { cookie, csrf };
}

async function post(user: TestUser, videoId: string, content: string) {
  const res = await api(`/api/v1/videos/${videoId}/comments`, { method: "POST", as: user, json: { content } });
  expect(res.status).toBe(201);
  return (await res.json()) as { id: string; status: string };
}

const page = async (path: string, cookie?: string) => {
  const res = await browser(path, { cookie });
  expect(res.status).toBe(200);
  return res.text();
};

describe("watch page comments", () => {
  it("marks a held comment 'Held for review' for its author alone, and leaves out the authors the viewer blocked", async () => {
    const [owner, author, blocker] = [await registerUser(), await registerUser(), await registerUser()];
    const videoId = await catalogueVideo(owner, { title: "Watch page moderation" });
    await api(`/api/v1/channels/${owner.channel_id}/moderation`, {
      method: "PUT",
      as: owner,
      json: { held_words: ["hush"], hold_links: false },
    });
    const held = await post(author, videoId, "hush, a held one");
    expect(held.status).toBe("held");
    await post(author, videoId, "a published one");

    const mine = await page(`/watch/${videoId}`, (await signIn(author)).cookie);
    expect(mine).toMatch(
      new RegExp(
        `<li class="comment held" data-comment-id="${held.id}"[^>]*data-status="held">[\\s\\S]*?Held for review`,
      ),
    );
    expect(mine).toContain("a published one");

    expect((await api(`/api/v1/users/me/blocks/${author.id}`, { method: "PUT", as: blocker })).status).toBe(204);
    for (const html of [
      await page(`/watch/${videoId}`),
      await page(`/watch/${videoId}`, (await signIn(owner)).cookie),
    ]) {
      expect(html).toContain("a published one");
      expect(html).not.toContain("hush, a held one");
    }
    const blockers = await page(`/watch/${videoId}`, (await signIn(blocker)).cookie);
    expect(blockers).not.toContain("a published one");
    expect(blockers).toContain('id="comments-notice"');
  });
});

describe("studio comments page", () => {
  it("lists held comments to approve or delete by form, saves held words, and unblocks", async () => {
    const [owner, author, pest] = [await registerUser(), await registerUser(), await registerUser()];
    const videoId = await catalogueVideo(owner, { title: "Studio <moderation>" });
    const { cookie, csrf } = await signIn(owner);

    // Held words through the form: one per line (commas too), links held.
    const saved = await browser("/studio/comments/rules", {
      cookie,
      form: { _csrf: csrf, held_words: "Grr\nhiss, boo\n\n", hold_links: "on" },
    });
    expect(saved.status).toBe(303);
    expect(saved.headers.get("Location")).toBe("/studio/comments?notice=Saved");
    const rules = await api(`/api/v1/channels/${owner.channel_id}/moderation`, { as: owner });
    expect(await rules.json()).toMatchObject({ held_words: ["grr", "hiss", "boo"], hold_links: true });

    const first = await post(author, videoId, "grr <b>not bold</b>");
    const second = await post(author, videoId, "see https://example.com");
    expect([first.status, second.status]).toEqual(["held", "held"]);
    const html = await page("/studio/comments", cookie);
    expect(html).toContain('Held for review <span class="muted">(2)</span>');
    expect(html).toContain("grr &lt;b&gt;not bold&lt;/b&gt;");
    expect(html).toContain("Studio &lt;moderation&gt;");
    expect(html).toContain(`action="/studio/comments/${first.id}/approve"`);
    expect(html).toContain(`action="/studio/comments/${second.id}/delete"`);
    expect(html).toMatch(/<textarea id="held-words" name="held_words"[^>]*>grr\nhiss\nboo<\/textarea>/);
    expect(html).toMatch(/<input type="checkbox" name="hold_links" value="on" checked=""/);
    // Every form (approve and delete per comment, the rules) carries the CSRF field; without it nothing happens.
    const forms = html.match(
      /<form action="\/studio\/comments[^"]*" method="post"[^>]*>\s*<input type="hidden" name="_csrf"/g,
    );
    expect(forms?.length).toBe(5);
    expect((await browser(`/studio/comments/${first.id}/approve`, { cookie, form: {} })).status).toBe(403);

    const approved = await browser(`/studio/comments/${first.id}/approve`, { cookie, form: { _csrf: csrf } });
    expect(approved.status).toBe(303);
    const deleted = await browser(`/studio/comments/${second.id}/delete`, { cookie, form: { _csrf: csrf } });
    expect(deleted.status).toBe(303);
    const listed = (await (await api(`/api/v1/videos/${videoId}/comments`)).json()) as { items: { id: string }[] };
    expect(listed.items.map((c) => c.id)).toEqual([first.id]);
    expect(await page("/studio/comments?notice=Approved", cookie)).toContain("No comments are waiting for review.");

    // A word the rules refuse: the page says which and keeps what was typed.
    const refused = await browser("/studio/comments/rules", {
      cookie,
      form: { _csrf: csrf, held_words: `fine\n${"x".repeat(51)}` },
    });
    expect(refused.status).toBe(400);
    const why = await refused.text();
    expect(why).toMatch(/role="alert">&quot;x{51}&quot;: must be at most 50 characters/);
    expect(why).toContain(`>fine\n${"x".repeat(51)}</textarea>`);

    // Blocked users, unblocked by form.
    await api(`/api/v1/users/me/blocks/${pest.id}`, { method: "PUT", as: owner });
    expect(await page("/studio/comments", cookie)).toContain(`action="/studio/comments/blocked/${pest.id}/unblock"`);
    const unblocked = await browser(`/studio/comments/blocked/${pest.id}/unblock`, { cookie, form: { _csrf: csrf } });
    expect(unblocked.status).toBe(303);
    const blocks = (await (await api("/api/v1/users/me/blocks", { as: owner })).json()) as { total: number };
    expect(blocks.total).toBe(0);
  });

  it("sends a visitor to sign in, and lets nobody approve another channel's comments", async () => {
    const signedOut = await browser("/studio/comments");
    expect(signedOut.status).toBe(302);
    expect(signedOut.headers.get("Location")).toBe("/login?next=%2Fstudio%2Fcomments");

    const [owner, author, intruder] = [await registerUser(), await registerUser(), await registerUser()];
    const videoId = await catalogueVideo(owner, { title: "Not yours" });
    await api(`/api/v1/channels/${owner.channel_id}/moderation`, {
      method: "PUT",
      as: owner,
      json: { held_words: [], hold_links: true },
    });
    const held = await post(author, videoId, "www.example.com");
    const { cookie, csrf } = await signIn(intruder);
    expect(await page("/studio/comments", cookie)).not.toContain("www.example.com");
    const res = await browser(`/studio/comments/${held.id}/approve`, { cookie, form: { _csrf: csrf } });
    expect(res.status).toBe(403);
    const gone = await browser(`/studio/comments/${held.id}/delete`, { cookie, form: { _csrf: csrf } });
    expect(gone.status).toBe(404);
    expect(
      (await api(`/api/v1/channels/${owner.channel_id}/held-comments`, { as: owner }).then((r) => r.json())) as {
        total: number;
      },
    ).toMatchObject({ total: 1 });
  });
});
