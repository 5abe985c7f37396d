// npm run bench:web — the web app in Chromium on the local stack.
//
// Starts the real stack (scripts/start.mjs), uploads a generated clip through the API and
// waits until it is ready. Then:
//   - time to first frame on /watch/{id}: from navigation start to the first video frame
//     presented (requestVideoFrameCallback), play() called as soon as the page's script
//     has given the player its source; a fresh browser context per run (cold cache); as the
//     machine is, and throttled as a phone (network 4 Mbit/s 100 ms RTT, CPU 4x, both);
//   - the HTML answer: GET /watch/{id} against GET /api/v1/videos/{id} (its metadata), the
//     two interleaved one request at a time, p50 and p95 and their ratio;
//   - each page's JavaScript, as the browser loaded it, gzipped (-9).
// Goals: first frame median <= 500 ms and p90 <= 800 ms, <= 1000 ms median with 4x CPU
// throttling (issue 20); HTML p95 <= 1.5x the metadata GET, JS <= 200 KB gz on the watch page
// (player included) and <= 30 KB elsewhere (issue 12). Figures: docs/benchmarks.md.
// BENCH_SMOKE=1: a 4 s 640x360 clip, one first-frame run per condition, 10 requests of each.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { launchChromium } from "../test/e2e/browser.ts";
import { client, makeClip } from "../test/e2e/clients.ts";
import { startStack } from "../test/e2e/stack.ts";
import { announceSmoke, check, checkFinite, median, setting, sized, smokeFooter } from "./lib.ts";

const RUNS = setting("BENCH_RUNS", 9, 1);
const REQUESTS = setting("BENCH_REQUESTS", 200, 10);
const clip = sized({ seconds: 20, size: "1280x720" }, { seconds: 4, size: "640x360" });

/**
 * The first-frame runs: as the machine is, then as a phone would see it, through Chromium's
 * DevTools protocol: network (4 Mbit/s each way, 100 ms added round trip:
 * Network.emulateNetworkConditions) and CPU (Emulation.setCPUThrottlingRate 4x, a mid-range
 * phone), alone and together. BENCH_CONDITIONS="none,cpu" picks some.
 */
interface Condition {
  name: string;
  goal: string;
  network?: { mbps: number; rttMs: number };
  cpu?: number;
}
const ALL_CONDITIONS: Condition[] = [
  { name: "none", goal: "median <= 500 ms, p90 <= 800 ms" },
  { name: "network 4 Mbit/s 100 ms RTT", network: { mbps: 4, rttMs: 100 }, goal: "" },
  { name: "CPU 4x", cpu: 4, goal: "median <= 1000 ms" },
  { name: "network + CPU 4x", network: { mbps: 4, rttMs: 100 }, cpu: 4, goal: "" },
];
const picked = process.env.BENCH_CONDITIONS?.split(",").map((c) => c.trim());
const CONDITIONS = ALL_CONDITIONS.filter(
  (c) => !picked || picked.some((p) => c.name.toLowerCase().startsWith(p.toLowerCase())),
);
check(CONDITIONS.length > 0, `BENCH_CONDITIONS=${process.env.BENCH_CONDITIONS} names no condition`);
announceSmoke();

const pct = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))]!;
const ms = (n: number) => `${n.toFixed(1)} ms`;

// The browser first: where it cannot start (no Chromium), nothing else is left running.
const browser = await launchChromium();
const stack = await startStack({ LOG_REQUESTS: "false" }).catch(async (err: unknown) => {
  await browser.close();
  throw err;
});
const work = mkdtempSync(path.join(tmpdir(), "bench-web-"));
try {
  const api = client(stack.url);
  const owner = await api.register();
  const file = path.join(work, "clip.mp4");
  makeClip(file, clip.seconds, clip.size);
  const videoId = await api.upload(owner, file, { title: "Bench clip" });
  await api.waitReady(owner, videoId);
  const me = await api.call<{ channel_id: string }>(owner, "/api/v1/users/me");
  console.log(`video ${videoId} ready`);

  // --- time to first frame, unthrottled and throttled ---
  /** One cold context's first frame on the watch page under `condition`. */
  const firstFrame = async (condition: Condition, trace: boolean) => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    if (condition.network) {
      await cdp.send("Network.enable");
      await cdp.send("Network.emulateNetworkConditions", {
        offline: false,
        latency: condition.network.rttMs,
        downloadThroughput: (condition.network.mbps * 1e6) / 8,
        uploadThroughput: (condition.network.mbps * 1e6) / 8,
      });
    }
    if (condition.cpu) await cdp.send("Emulation.setCPUThrottlingRate", { rate: condition.cpu });
    await page.addInitScript(() => {
      // Ask for playback the moment the watch script has set the source, like a click would.
      const timing = new Promise<{ at: number; height: number }>((resolve) => {
        const start = () => {
          const video = document.getElementById("video") as (HTMLVideoElement & { nativeEl?: HTMLVideoElement }) | null;
          if (!video?.getAttribute("src") && !video?.src) return requestAnimationFrame(start);
          video.muted = true;
          video.play().catch(() => {});
          const native = video.nativeEl ?? video;
          native.requestVideoFrameCallback((_now, meta) => resolve({ at: meta.presentationTime, height: meta.height }));
        };
        document.addEventListener("DOMContentLoaded", start);
      });
      (globalThis as { firstFrame?: Promise<{ at: number; height: number }> }).firstFrame = timing;
    });
    const watch = await page.goto(`${stack.url}/watch/${videoId}`);
    check(watch?.ok(), `GET /watch/${videoId}: ${watch?.status()}`);
    // A player that never shows a frame would otherwise hold the benchmark forever.
    const frame = await page.evaluate(() =>
      Promise.race([
        (globalThis as unknown as { firstFrame: Promise<{ at: number; height: number }> }).firstFrame,
        new Promise<{ at: number; height: number }>((resolve) =>
          setTimeout(() => resolve({ at: Number.NaN, height: 0 }), 60_000),
        ),
      ]),
    );
    check(Number.isFinite(frame.at), `no video frame on /watch within 60 s (${condition.name})`);
    if (trace) {
      const entries = await page.evaluate(() => [
        ...performance.getEntriesByType("navigation").map((e) => {
          const n = e as PerformanceNavigationTiming;
          return `document: request ${Math.round(n.requestStart)}, first byte ${Math.round(n.responseStart)}, last byte ${Math.round(n.responseEnd)}, interactive ${Math.round(n.domInteractive)}, DOMContentLoaded ${Math.round(n.domContentLoadedEventEnd)}`;
        }),
        ...performance
          .getEntriesByType("resource")
          .map((e) => e as PerformanceResourceTiming)
          .map((e) => `${Math.round(e.startTime)}-${Math.round(e.responseEnd)} ${e.name.replace(location.origin, "")}`),
      ]);
      console.log(`${condition.name}: first frame ${frame.at} (${frame.height}p)\n  ${entries.join("\n  ")}`);
    }
    await context.close();
    return frame;
  };

  // One untimed page load first: the server renders this video's watch page for the first time
  // (its metadata, start level and playlists then sit in the caches every later viewer finds
  // them in). What the runs measure is a browser's cold start, not the server's first render.
  const warm = await firstFrame(ALL_CONDITIONS[0]!, false);
  console.log(`warm-up (not counted): first frame ${warm.at.toFixed(1)} ms`);
  const firstFrames: Record<string, { ms: number[]; height: number[] }> = {};
  for (const condition of CONDITIONS) {
    const runs = { ms: [] as number[], height: [] as number[] };
    firstFrames[condition.name] = runs;
    for (let i = 0; i < RUNS; i++) {
      const frame = await firstFrame(condition, !!process.env.BENCH_TRACE);
      runs.ms.push(frame.at);
      runs.height.push(frame.height);
    }
    console.log(
      `first frame, ${condition.name}: median ${ms(median(runs.ms))}, p90 ${ms(pct(runs.ms, 0.9))} over ${RUNS} runs (${runs.ms.map((x) => x.toFixed(0)).join(", ")})`,
    );
  }

  // --- the HTML answer against the metadata GET ---
  const html: number[] = [];
  const meta: number[] = [];
  const time = async (url: string) => {
    const t0 = performance.now();
    const res = await fetch(url);
    await res.arrayBuffer();
    if (!res.ok) throw new Error(`${url}: ${res.status}`);
    return performance.now() - t0;
  };
  for (let i = 0; i < sized(20, 3); i++)
    await Promise.all([time(`${stack.url}/watch/${videoId}`), time(`${stack.url}/api/v1/videos/${videoId}`)]);
  for (let i = 0; i < REQUESTS; i++) {
    html.push(await time(`${stack.url}/watch/${videoId}`));
    meta.push(await time(`${stack.url}/api/v1/videos/${videoId}`));
  }

  // --- each page's JavaScript, gzipped ---
  const context = await browser.newContext();
  const page = await context.newPage();
  const sessionPage = await context.newPage();
  await sessionPage.goto(`${stack.url}/login`);
  const n = Date.now().toString(36);
  await sessionPage.getByLabel("Email").nth(1).fill(`bench${n}@example.com`);
  await sessionPage.getByLabel("Username (your channel's name)").fill(`bench${n}`);
  await sessionPage.getByLabel("Password (at least 8 characters)").fill("benchmark password");
  await sessionPage.getByRole("button", { name: "Create account" }).click();
  await sessionPage.waitForURL(`${stack.url}/`);
  const pages = {
    home: "/",
    watch: `/watch/${videoId}`,
    upload: "/upload",
    search: "/search?q=bench",
    history: "/history",
    channel: `/channel/${me.channel_id}`,
    studio: "/studio",
  };
  const js: Record<string, number> = {};
  for (const [name, pathname] of Object.entries(pages)) {
    // Every script the page loaded (cached or not), fetched again here to weigh it.
    const urls = new Set<string>();
    const collect = (r: import("playwright-core").Request) => {
      if (r.resourceType() === "script") urls.add(r.url());
    };
    page.on("request", collect);
    const res = await page.goto(`${stack.url}${pathname}`, { waitUntil: "networkidle" });
    page.off("request", collect);
    check(res?.ok(), `GET ${pathname}: ${res?.status()}`);
    const bodies = [...urls].map(async (url) => {
      const script = await fetch(url);
      check(script.ok, `${url}: ${script.status}`);
      return Buffer.from(await script.arrayBuffer());
    });
    js[name] = (await Promise.all(bodies)).reduce((sum, body) => sum + gzipSync(body, { level: 9 }).length, 0);
  }
  await context.close();
  // The watch page without its player script would weigh nothing and pass its goal.
  check(js.watch, "the watch page loaded no script");

  console.log("\n| measure | value | goal |\n|---|---|---|");
  for (const condition of CONDITIONS) {
    const runs = firstFrames[condition.name]!;
    console.log(
      `| time to first frame, ${condition.name} (median / p90 of ${RUNS}, cold context) | ${ms(median(runs.ms))} / ${ms(pct(runs.ms, 0.9))} (min ${ms(Math.min(...runs.ms))}, max ${ms(Math.max(...runs.ms))}; first frame ${Math.min(...runs.height)}p or more) | ${condition.goal} |`,
    );
  }
  const ratio = pct(html, 0.95) / pct(meta, 0.95);
  console.log(`| GET /watch/{id} HTML p50 / p95 (${REQUESTS}) | ${ms(pct(html, 0.5))} / ${ms(pct(html, 0.95))} | |`);
  console.log(`| GET /api/v1/videos/{id} p50 / p95 | ${ms(pct(meta, 0.5))} / ${ms(pct(meta, 0.95))} | |`);
  console.log(`| HTML p95 / metadata p95 | ${ratio.toFixed(2)} | <= 1.5 |`);
  for (const [name, bytes] of Object.entries(js)) {
    console.log(
      `| JS on ${name}, gzipped | ${(bytes / 1024).toFixed(1)} KB | ${name === "watch" ? "<= 200 KB" : "<= 30 KB"} |`,
    );
  }
  smokeFooter();
  checkFinite({
    ...Object.fromEntries(CONDITIONS.map((c) => [`first frame, ${c.name}`, median(firstFrames[c.name]!.ms)])),
    "HTML p95": pct(html, 0.95),
    "HTML / metadata": ratio,
  });
} catch (err) {
  console.error(stack.output().slice(-3000));
  throw err;
} finally {
  await browser.close();
  await stack.stop();
  rmSync(work, { recursive: true, force: true });
}
