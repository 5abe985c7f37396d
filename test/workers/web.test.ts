import { env, exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { ALL_CATEGORIES } from "../../workers/services/trending";
import { listKey } from "../../workers/storage/trending";
import { BASE, browser } from "./browser-fixtures";
import {
  addVideo,
  api,
  catalogueVideo,
  coView,
  expectProblem,
  readyVideo,
  registerUser,
  subscribe,
  type TestUser,
  trend,
  watch,
} from "./fixtures";
import { stubTranscoder } from "./transcoder-stub";

stubTranscoder();

/** Signs in through the login form: the session cookie and the pages' CSRF token. */
async function signIn(user: TestUser) {
  const res = await browser("/login", { form: { email: user.email, password: user.password, next: "/studio" } });
  expect(res.status).toBe(303);
  expect(res.headers.get("Location")).toBe("/studio");
  const cookie = res.headers.get("Set-Cookie")!.split(";")[0]!;
  const html = await (await browser("/", { cookie })).text();
  const csrf = /<meta name="csrf-token" content="([^"]+)"/.exec(html)?.[1];
  expect(csrf).toBeTruthy();
  return { cookie, csrf: csrf! };
}

describe("pages", () => {
  it("are HTML under a CSP that allows no inline script, with scripts only from /assets", async () => {
    const res = await browser("/");
    expect(res.status).toBe(200);
    expect(res.headers.get("Content-Type")).toMatch(/^text\/html/);
    const csp = res.headers.get("Content-Security-Policy")!;
    const scriptSrc = /script-src ([^;]+)/.exec(csp)?.[1];
    expect(scriptSrc).toBe("'self'");
    expect(csp).toContain("object-src 'none'");
    expect(csp).toContain("frame-ancestors 'none'");
    const html = await res.text();
    expect(html.startsWith("<!doctype html>")).toBe(true);
    const scripts = [...html.matchAll(/<script([^>]*)>([\s\S]*?)<\/script>/g)];
    expect(scripts.length).toBeGreaterThan(0);
    for (const [, attrs, body] of scripts) {
      expect(attrs).toMatch(/src="\/assets\/h\/[a-z-]+-[A-Z0-9]+\.js"/);
      expect(body).toBe("");
    }
  });

  it("link a favicon that the site serves as a static asset", async () => {
    const html = await (await browser("/")).text();
    const href = /<link rel="icon" href="([^"]+)" type="image\/svg\+xml"\/>/.exec(html)?.[1];
    expect(href).toBe("/assets/favicon.svg");
    // Static assets are answered before the Worker (wrangler.toml [assets]), from web/dist.
    const icon = await env.ASSETS.fetch(new Request(`${BASE}${href}`));
    expect(icon.status).toBe(200);
    expect(icon.headers.get("Content-Type")).toMatch(/^image\/svg\+xml/);
    expect(await icon.text()).toMatch(/^<svg[^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
  });

  it("render what users wrote as text, never as markup", async () => {
    const owner = await registerUser();
    const { videoId } = await readyVideo(owner);
    const evil = `<script>alert("t")</script><img src=x onerror="alert(1)">`;
    const edit = await api(`/api/v1/videos/${videoId}`, {
      method: "PATCH",
      as: owner,
      json: { title: evil.slice(0, 100), description: evil, tags: ["<b>tag</b>"] },
    });
    expect(edit.status).toBe(200);
    const comment = await api(`/api/v1/videos/${videoId}/comments`, {
      method: "POST",
      as: owner,
      json: { content: `<iframe src="javascript:alert(2)"></iframe> hello` },
    });
    expect(comment.status).toBe(201);
    const html = await (await browser(`/watch/${videoId}`)).text();
    expect(html).not.toContain("<script>alert");
    expect(html).not.toContain("<img src=x");
    expect(html).not.toContain("<iframe");
    expect(html).not.toContain("<b>tag</b>");
    expect(html).toContain("&lt;script&gt;alert(&quot;t&quot;)&lt;/script&gt;");
    expect(html).toContain("&lt;iframe src=&quot;javascript:alert(2)&quot;&gt;&lt;/iframe&gt; hello");
  });

  it("answer 404 pages for nothing, and the same for someone else's private video", async () => {
    const owner = await registerUser();
    const { videoId } = await readyVideo(owner, "private");
    for (const path of ["/no-such-page", `/watch/${videoId}`, "/watch/nope", "/channel/nope"]) {
      const res = await browser(path);
      expect(res.status, path).toBe(404);
      expect(res.headers.get("Content-Type")).toMatch(/^text\/html/);
      expect(await res.text()).toContain("Not found");
    }
    // The owner sees it, with a playback token in the player's source.
    const { cookie } = await signIn(owner);
    const own = await browser(`/watch/${videoId}`, { cookie });
    expect(own.status).toBe(200);
    expect(await own.text()).toMatch(/data-hls="http:\/\/cloudtube\.test\/videos\/[^"]+\/master\.m3u8\?token=/);
    // API paths keep answering problem+json.
    const apiMissing = await api("/api/v1/no-such-route");
    expect(apiMissing.status).toBe(404);
    expect(apiMissing.headers.get("Content-Type")).toContain("application/problem+json");
  });

  it("give the owner of a private video a poster and thumbnails that load (they carry the playback token)", async () => {
    const owner = await registerUser();
    const { videoId } = await readyVideo(owner, "private");
    const { cookie } = await signIn(owner);
    const html = await (await browser(`/watch/${videoId}`, { cookie })).text();
    const poster = /<media-poster-image slot="poster" src="([^"]*)"/.exec(html)?.[1];
    expect(poster).toMatch(/\/thumbnails\/0_medium\.jpg\?token=[^&"]+$/);
    const image = await exports.default.fetch(new Request(poster!));
    expect(image.status).toBe(200);
    expect(image.headers.get("Content-Type")).toBe("image/jpeg");
    // The API gives the owner the same signed URLs; without the token the thumbnail is not there.
    const page = (await (await api(`/api/v1/videos/${videoId}`, { as: owner })).json()) as {
      thumbnails: { default: string; medium: string };
    };
    for (const url of [page.thumbnails.default, page.thumbnails.medium]) {
      expect((await exports.default.fetch(new Request(url))).status, url).toBe(200);
      expect((await exports.default.fetch(new Request(url.split("?")[0]!))).status, url).toBe(404);
    }
  });

  it("send signed-out visitors to sign in, and back to a path on this site only", async () => {
    for (const path of ["/upload", "/history", "/studio"]) {
      const res = await browser(path);
      expect(res.status, path).toBe(302);
      expect(res.headers.get("Location")).toBe(`/login?next=${encodeURIComponent(path)}`);
    }
    const user = await registerUser();
    for (const next of ["//evil.example/x", "https://evil.example/", "/\\evil.example"]) {
      const res = await browser("/login", { form: { email: user.email, password: user.password, next } });
      expect(res.headers.get("Location"), next).toBe("/");
    }
  });
});

/** One titled row of cards (VideoSection), or "" when the page has no such row. */
function section(html: string, title: string) {
  const start = html.indexOf(`aria-labelledby="h-${title.toLowerCase().replace(/[^a-z]+/g, "-")}"`);
  return start < 0 ? "" : html.slice(start, html.indexOf("</section>", start));
}

/** The card of one video within a row, or "" when the row does not hold it. */
function card(row: string, videoId: string) {
  const start = row.indexOf(`<li class="video-card"><a href="/watch/${videoId}"`);
  return start < 0 ? "" : row.slice(start, row.indexOf("</li>", start));
}

const word = () => `w${Math.random().toString(36).slice(2, 9)}`;

describe("home page", () => {
  it("shows an anonymous visitor what is trending, and no personal rows", async () => {
    const creator = await registerUser();
    const hot = await addVideo(creator, { title: `${word()} trending on the home page` });
    await trend(hot, creator.channel_id, 1e6);

    const html = await (await browser("/")).text();
    expect(section(html, "Trending")).toContain(`href="/watch/${hot}"`);
    expect(section(html, "Recommended for you")).toBe("");
    expect(section(html, "New from your subscriptions")).toBe("");
  });

  it("recommends to a viewer with each reason in words, and lists their subscriptions' new videos", async () => {
    const creator = await registerUser();
    const followed = await registerUser();
    const viewer = await registerUser();
    const watchedTitle = `${word()} <b>kayak</b> rolling & bracing`;
    const watched = await addVideo(creator, { title: watchedTitle, age: 20 });
    const next = await addVideo(creator, { title: `${word()} kayak rescue drills`, age: 20 });
    await coView(watched, next, 5);
    await watch(viewer, watched);
    await subscribe(viewer, followed.channel_id);
    const fresh = await addVideo(followed, { title: `${word()} fresh from a followed channel`, age: 0.5 });
    const { cookie } = await signIn(viewer);

    const html = await (await browser("/", { cookie })).text();
    const recommended = section(html, "Recommended for you");
    const escaped = watchedTitle.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
    expect(card(recommended, next)).toContain(`<span class="card-reason">Because you watched ${escaped}</span>`);
    // Every card says why, in words (which source wins for the fresh upload depends on the index).
    const cards = recommended.split('<li class="video-card">').slice(1);
    const reasons = cards.map((c) => /<span class="card-reason">([^<]*)<\/span>/.exec(c)?.[1]);
    expect(reasons.length).toBeGreaterThan(1);
    for (const reason of reasons) {
      expect(reason).toMatch(
        /^(Because you watched .+|From your subscriptions|Viewers like you also watched|Trending)$/,
      );
    }
    expect(html).not.toContain("<b>kayak</b>");
    expect(section(html, "New from your subscriptions")).toContain(`href="/watch/${fresh}"`);
  });

  it("shows a newcomer videos first, leaving out the rows that have nothing in them yet", async () => {
    const creator = await registerUser();
    const fresh = await addVideo(creator, { title: `${word()} just uploaded`, age: 0.01 });
    const { cookie } = await signIn(await registerUser());
    for (const viewer of [cookie, undefined]) {
      const html = await (await browser("/", { cookie: viewer })).text();
      // No "nothing yet" sentences: a newcomer follows no one, so that row is not there.
      expect(html).not.toContain('class="empty"');
      expect(section(html, "New from your subscriptions")).toBe("");
      // The first row on the page has videos in it.
      const first = html.slice(html.indexOf("<section"), html.indexOf("</section>"));
      expect(first).toContain('<li class="video-card">');
      expect(section(html, "Latest uploads")).toContain(`href="/watch/${fresh}"`);
    }
  });

  it("says a row could not be loaded, below the rows that have videos", async () => {
    const creator = await registerUser();
    await addVideo(creator, { title: `${word()} on the home page`, age: 0.01 });
    const key = listKey("global", ALL_CATEGORIES);
    const before = await env.CACHE.get(key);
    await env.CACHE.put(key, "not json");
    try {
      const res = await browser("/");
      expect(res.status).toBe(200);
      const html = await res.text();
      expect(section(html, "Trending")).toContain("This list could not be loaded just now.");
      expect(html.indexOf('id="h-trending"')).toBeGreaterThan(html.indexOf('id="h-latest-uploads"'));
    } finally {
      await (before === null ? env.CACHE.delete(key) : env.CACHE.put(key, before));
    }
  });
});

describe("watch page", () => {
  it("shows up next from the related videos, never the video itself", async () => {
    const creator = await registerUser();
    const video = await addVideo(creator, { title: `${word()} knot tying basics`, age: 10 });
    const other = await addVideo(creator, { title: `${word()} knot tying advanced`, age: 10 });
    await coView(video, other, 5);

    const html = await (await browser(`/watch/${video}`)).text();
    const upNext = section(html, "Up next");
    expect(upNext).toContain(`href="/watch/${other}"`);
    expect(upNext).not.toContain(`href="/watch/${video}"`);
  });
});

describe("watch page's subscribe button", () => {
  it("is not offered to the owner on her own video or channel; others see whether they subscribe", async () => {
    const owner = await registerUser();
    const video = await addVideo(owner, { title: `${word()} by its owner` });
    const subscribeButton = /<button[^>]*class="subscribe"[^>]*>\s*(Subscribed?)\s*</;

    const asOwner = (await signIn(owner)).cookie;
    const ownWatch = await (await browser(`/watch/${video}`, { cookie: asOwner })).text();
    expect(ownWatch).not.toMatch(/class="subscribe"/);
    expect(ownWatch).toContain('<a href="/studio">Manage your videos</a>');
    const ownChannel = await (await browser(`/channel/${owner.channel_id}`, { cookie: asOwner })).text();
    expect(ownChannel).not.toMatch(/class="subscribe"/);

    const fan = await registerUser();
    await subscribe(fan, owner.channel_id);
    const asFan = await (await browser(`/watch/${video}`, { cookie: (await signIn(fan)).cookie })).text();
    expect(asFan).toMatch(/aria-pressed="true"[^>]*>\s*Subscribed\s*</);
    const asStranger = await (
      await browser(`/watch/${video}`, { cookie: (await signIn(await registerUser())).cookie })
    ).text();
    expect(subscribeButton.exec(asStranger)?.[1]).toBe("Subscribe");
    expect(asStranger).toMatch(/aria-pressed="false"[^>]*>\s*Subscribe\s*</);
  });
});

describe("watch page when up next fails", () => {
  it("still plays the video, and says up next could not be loaded", async () => {
    const creator = await registerUser();
    const video = await addVideo(creator, { title: `${word()} with a broken up next` });
    // A corrupt cache entry makes the related-videos service throw.
    await env.CACHE.put(`related:v1:${video}`, "not json");

    const res = await browser(`/watch/${video}`);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain("with a broken up next");
    expect(section(html, "Up next")).toContain("This list could not be loaded just now.");
  });
});

describe("channel page", () => {
  it("shows a subscriber that they are subscribed, and lists only the channel's public videos", async () => {
    const owner = await registerUser();
    const fan = await registerUser();
    const shown = await addVideo(owner, { title: `${word()} public on the channel` });
    const hidden = await addVideo(owner, { title: `${word()} private on the channel`, visibility: "private" });
    await subscribe(fan, owner.channel_id);

    const asFan = await (await browser(`/channel/${owner.channel_id}`, { cookie: (await signIn(fan)).cookie })).text();
    expect(asFan).toMatch(/aria-pressed="true"[^>]*>\s*Subscribed\s*</);
    const videos = section(asFan, "Videos");
    expect(videos).toContain(`href="/watch/${shown}"`);
    expect(videos).not.toContain(hidden);

    const stranger = await signIn(await registerUser());
    const asStranger = await (await browser(`/channel/${owner.channel_id}`, { cookie: stranger.cookie })).text();
    expect(asStranger).toMatch(/aria-pressed="false"[^>]*>\s*Subscribe\s*</);
  });
});

describe("search page", () => {
  it("shows matches with <mark> highlights while a title's own markup stays text", async () => {
    const owner = await registerUser();
    const { videoId } = await readyVideo(owner);
    const word = `zebra${Math.random().toString(36).slice(2, 7)}`;
    const edit = await api(`/api/v1/videos/${videoId}`, {
      method: "PATCH",
      as: owner,
      json: { title: `<b>bold</b> ${word} crossing` },
    });
    expect(edit.status).toBe(200);
    const res = await browser(`/search?q=${word}`);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain(`<mark>${word}</mark>`);
    expect(html).toContain("&lt;b&gt;bold&lt;/b&gt;");
    expect(html).not.toContain("<b>bold</b>");
    expect(html).toContain(`/watch/${videoId}`);
    const bad = await browser(`/search?q=${word}&sort=loudest`);
    expect(bad.status).toBe(400);
  });

  it("filters by the same query parameters as the API, to the same videos", async () => {
    const owner = await registerUser();
    const term = word();
    const shortMusic = await catalogueVideo(owner, { title: `${term} short tune`, category: "Music", duration: 60 });
    const longMusic = await catalogueVideo(owner, { title: `${term} long set`, category: "Music", duration: 3600 });
    const shortGame = await catalogueVideo(owner, { title: `${term} short match`, category: "Gaming", duration: 60 });
    const query = `q=${term}&duration=short&category=Music`;

    const fromApi = (await (await api(`/api/v1/search?${query}`)).json()) as { items: { id: string }[] };
    expect(fromApi.items.map((v) => v.id)).toEqual([shortMusic]);
    const html = await (await browser(`/search?${query}`)).text();
    const shown = [...html.matchAll(/<li class="video-card"><a href="\/watch\/([^"]+)"/g)].map((m) => m[1]);
    expect(shown).toEqual([shortMusic]);
    expect(html).not.toContain(longMusic);
    expect(html).not.toContain(shortGame);
    // The form's "Any length" sends an empty duration: no filter, not a bad request.
    const any = await (await browser(`/search?q=${term}&duration=`)).text();
    expect(any).toContain(longMusic);
  });
});

describe("sessions", () => {
  it("register through the form: an HttpOnly, SameSite=Lax session cookie that the API accepts", async () => {
    const n = Math.random().toString(36).slice(2, 10);
    const res = await browser("/register", {
      form: { email: `web_${n}@example.com`, username: `web_${n}`, password: "a long enough password", next: "/" },
    });
    expect(res.status).toBe(303);
    const set = res.headers.get("Set-Cookie")!;
    expect(set).toMatch(/^session=[\w-]+\.[\w-]+\.[\w-]+;/);
    expect(set).toContain("HttpOnly");
    expect(set).toContain("SameSite=Lax");
    expect(set).not.toContain("Secure"); // plain http is local dev only
    const me = await exports.default.fetch(
      new Request(`${BASE}/api/v1/users/me`, { headers: { Cookie: set.split(";")[0]! } }),
    );
    expect(me.status).toBe(200);
    expect(await me.json()).toMatchObject({ username: `web_${n}` });
  });

  it("mark the cookie Secure over https", async () => {
    const user = await registerUser();
    const res = await exports.default.fetch(
      new Request("https://cloudtube.test/login", {
        method: "POST",
        headers: { "Content-Type": "application/x-www-form-urlencoded", Origin: "https://cloudtube.test" },
        body: new URLSearchParams({ email: user.email, password: user.password }).toString(),
        redirect: "manual",
      }),
    );
    expect(res.status).toBe(303);
    expect(res.headers.get("Set-Cookie")).toContain("Secure");
  });

  it("show a wrong password on the form, without a cookie", async () => {
    const user = await registerUser();
    const res = await browser("/login", { form: { email: user.email, password: "wrong password" } });
    expect(res.status).toBe(401);
    expect(res.headers.get("Set-Cookie")).toBeNull();
    expect(await res.text()).toContain("The email or password is wrong.");
  });

  it("refuse a form post from another site (login CSRF)", async () => {
    const user = await registerUser();
    const res = await browser("/login", {
      form: { email: user.email, password: user.password },
      origin: "https://evil.example",
    });
    expect(res.status).toBe(403);
    expect(res.headers.get("Set-Cookie")).toBeNull();
  });

  it("refuse a cookie-authenticated API write without the CSRF token, and accept it with", async () => {
    const user = await registerUser();
    const { videoId } = await readyVideo(user);
    const { cookie, csrf } = await signIn(user);
    const comment = (headers: Record<string, string>) =>
      exports.default.fetch(
        new Request(`${BASE}/api/v1/videos/${videoId}/comments`, {
          method: "POST",
          headers: { Cookie: cookie, "Content-Type": "application/json", ...headers },
          body: JSON.stringify({ content: "from the page" }),
        }),
      );
    await expectProblem(await comment({}), 403, "csrf_failed");
    await expectProblem(await comment({ "X-CSRF-Token": `${csrf.slice(0, -2)}xx` }), 403, "csrf_failed");
    const right = await comment({ "X-CSRF-Token": csrf });
    expect(right.status).toBe(201);
    expect(await right.json()).toMatchObject({ content: "from the page", user: { id: user.id } });
    // Bearer tokens need no CSRF token: no browser attaches them on its own.
    const bearer = await api(`/api/v1/videos/${videoId}/comments`, {
      method: "POST",
      as: user,
      json: { content: "from a script" },
    });
    expect(bearer.status).toBe(201);
  });

  it("refuse a cookie-authenticated form without its CSRF field, and act with it", async () => {
    const user = await registerUser();
    const { cookie, csrf } = await signIn(user);
    const without = await browser("/history/paused", { cookie, form: { paused: "true" } });
    expect(without.status).toBe(403);
    const me = () => api("/api/v1/users/me", { as: user }).then((r) => r.json() as Promise<Record<string, unknown>>);
    expect((await me()).history_paused).toBe(false);
    const ok = await browser("/history/paused", { cookie, form: { paused: "true", _csrf: csrf } });
    expect(ok.status).toBe(303);
    expect((await me()).history_paused).toBe(true);
  });

  it("sign out clears the cookie", async () => {
    const user = await registerUser();
    const { cookie, csrf } = await signIn(user);
    const res = await browser("/logout", { cookie, form: { _csrf: csrf } });
    expect(res.status).toBe(303);
    expect(res.headers.get("Set-Cookie")).toMatch(/^session=;.*Max-Age=0/);
  });
});

describe("studio", () => {
  it("edits and deletes the signed-in user's own videos only", async () => {
    const owner = await registerUser();
    const { videoId } = await readyVideo(owner);
    const other = await registerUser();
    const intruder = await signIn(other);
    const theirs = await browser(`/studio/${videoId}`, {
      cookie: intruder.cookie,
      form: { _csrf: intruder.csrf, title: "Mine now", description: "", visibility: "public" },
    });
    expect(theirs.status).toBe(403);
    const { cookie, csrf } = await signIn(owner);
    const list = await (await browser("/studio", { cookie })).text();
    expect(list).toContain(`/watch/${videoId}`);
    const saved = await browser(`/studio/${videoId}`, {
      cookie,
      form: { _csrf: csrf, title: "Renamed", description: "New words", visibility: "unlisted" },
    });
    expect(saved.status).toBe(303);
    const video = (await (await api(`/api/v1/videos/${videoId}`)).json()) as Record<string, unknown>;
    expect(video).toMatchObject({ title: "Renamed", description: "New words", visibility: "unlisted" });
    const bad = await browser(`/studio/${videoId}`, { cookie, form: { _csrf: csrf, title: "", visibility: "x" } });
    expect(bad.status).toBe(400);
    const gone = await browser(`/studio/${videoId}/delete`, { cookie, form: { _csrf: csrf } });
    expect(gone.status).toBe(303);
    expect((await api(`/api/v1/videos/${videoId}`)).status).toBe(404);
  });

  it("uploads captions from a video's form, the owner's only, checked as the API checks them", async () => {
    const owner = await registerUser();
    const { videoId } = await readyVideo(owner);
    const form = (csrf: string, file: File, language = "pt-br", label = "") => {
      const data = new FormData();
      data.set("_csrf", csrf);
      data.set("language", language);
      data.set("label", label);
      data.set("file", file);
      return data;
    };
    const srt = new File(["1\n00:00:01,000 --> 00:00:02,500\nOlá <b>mundo</b>\n"], "falas.srt");
    const other = await signIn(await registerUser());
    const theirs = await browser(`/studio/${videoId}/captions`, { cookie: other.cookie, form: form(other.csrf, srt) });
    expect(theirs.status).toBe(403);

    const { cookie, csrf } = await signIn(owner);
    const page = await (await browser("/studio", { cookie })).text();
    expect(page).toContain(`action="/studio/${videoId}/captions"`);
    expect(page).toContain('enctype="multipart/form-data"');
    const saved = await browser(`/studio/${videoId}/captions`, { cookie, form: form(csrf, srt) });
    expect(saved.status).toBe(303);
    expect(saved.headers.get("Location")).toBe(
      `/studio?notice=${encodeURIComponent("Captions saved: Português (Brasil)")}`,
    );
    const listed = (await (await api(`/api/v1/videos/${videoId}/captions`)).json()) as { items: Record<string, any>[] };
    expect(listed.items).toMatchObject([{ language: "pt-BR", source: "uploaded", status: "ready" }]);
    const vtt = await (await exports.default.fetch(new Request(listed.items[0]?.url))).text();
    expect(vtt).toContain("00:00:01.000 --> 00:00:02.500\nOlá <b>mundo</b>");

    // A bad file: the error page names the line and the reason; nothing changes.
    const broken = new File(["WEBVTT\n\n00:00:05.000 --> 00:00:01.000\nBackwards\n"], "bad.vtt");
    const bad = await browser(`/studio/${videoId}/captions`, { cookie, form: form(csrf, broken, "en") });
    expect(bad.status).toBe(400);
    expect(await bad.text()).toMatch(/line 3/);
    const noFile = await browser(`/studio/${videoId}/captions`, {
      cookie,
      form: form(csrf, new File([], "empty.vtt"), "en"),
    });
    expect(noFile.status).toBe(400);
    const badLanguage = await browser(`/studio/${videoId}/captions`, { cookie, form: form(csrf, srt, "not a tag") });
    expect(badLanguage.status).toBe(400);
    const after = (await (await api(`/api/v1/videos/${videoId}/captions`)).json()) as { items: unknown[] };
    expect(after.items).toHaveLength(1);
  });
});
