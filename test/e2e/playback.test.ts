// fMP4 (CMAF) playback in Chromium: every rendition and the audio rendition decode through
// Media Source Extensions with the CODECS the master declares, and the watch page's player
// (hls.js) starts at the server's start level and climbs and descends the ladder without a
// stall.
import path from "node:path";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { collectErrors, launchChromium } from "./browser";
import { makeClip } from "./clients";
import { runningStack } from "./stack";

// 2 s segments: a smooth switch takes effect at the next segment boundary.
const e2e = runningStack("playback", { HLS_SEGMENT_SECONDS: "2" });
let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(() => browser?.close());

interface Variant {
  uri: string;
  codecs: string;
  height: number;
}

/** The master's variants: URI, CODECS and height (0 for the audio-only one). */
function variants(master: string): Variant[] {
  const lines = master.split("\n").map((l) => l.trim());
  return lines.flatMap((line, i) => {
    if (!line.startsWith("#EXT-X-STREAM-INF:")) return [];
    const codecs = /CODECS="([^"]+)"/.exec(line)?.[1] ?? "";
    const height = Number(/RESOLUTION=\d+x(\d+)/.exec(line)?.[1] ?? 0);
    return [{ uri: lines[i + 1]!, codecs, height }];
  });
}

describe("fMP4 playback in Chromium", () => {
  let videoId: string;
  let base: string;
  let list: Variant[];
  beforeAll(async () => {
    const owner = await e2e.api.register();
    const file = path.join(e2e.work, "ladder.mp4");
    // 40 s: the switching test below asks for three switches, each at a fragment boundary still
    // ahead of the playhead. With 20 s, a slow machine took long enough reaching the top rung
    // that the rest of the clip was played or buffered before the way down was asked for, and
    // the player could not switch any more (a CI run: reached [4, 4, 4], no stall, no error).
    makeClip(file, 40, "1280x720");
    videoId = await e2e.api.upload(owner, file, { title: "fMP4 ladder" });
    await e2e.api.waitReady(owner, videoId);
    base = `${e2e.stack.url}/videos/${videoId}`;
    const master = await (await fetch(`${base}/master.m3u8`)).text();
    expect(master).toMatch(/^#EXT-X-VERSION:7$/m);
    expect(master).toContain("#EXT-X-INDEPENDENT-SEGMENTS");
    list = variants(master);
  }, 400_000);

  it("serves fMP4 by default and decodes every rendition and the audio rendition through MSE with the master's CODECS", async () => {
    expect(list.filter((v) => v.height > 0).map((v) => v.height)).toEqual(
      expect.arrayContaining([144, 240, 360, 480, 720]),
    );
    expect(list.some((v) => v.height === 0 && v.codecs === "mp4a.40.2")).toBe(true);
    const page = await (await browser.newContext()).newPage();
    await page.goto(`${e2e.stack.url}/`);
    for (const variant of list) {
      const playlist = await (await fetch(`${base}/${variant.uri}`)).text();
      expect(playlist, variant.uri).toMatch(/^#EXT-X-MAP:URI="init\.mp4"$/m);
      const dir = variant.uri.slice(0, variant.uri.lastIndexOf("/") + 1);
      const segments = playlist.split("\n").filter((l) => l.trim() && !l.startsWith("#"));
      expect(
        segments.every((s) => s.endsWith(".m4s")),
        variant.uri,
      ).toBe(true);
      const urls = [`${base}/${dir}init.mp4`, ...segments.map((s) => `${base}/${dir}${s.trim()}`)];
      const type = `${variant.height ? "video" : "audio"}/mp4; codecs="${variant.codecs}"`;
      // Appends the init segment and every media segment to one SourceBuffer; answers what was buffered.
      const result = await page.evaluate(
        async ({ urls, type }) => {
          if (!MediaSource.isTypeSupported(type)) return { error: `unsupported ${type}` };
          const media = document.createElement(type.startsWith("video") ? "video" : "audio");
          const source = new MediaSource();
          media.src = URL.createObjectURL(source);
          await new Promise((r) => source.addEventListener("sourceopen", r, { once: true }));
          const buffer = source.addSourceBuffer(type);
          let error = "";
          buffer.addEventListener("error", () => (error ||= "SourceBuffer error"));
          media.addEventListener("error", () => (error ||= `media error ${media.error?.code} ${media.error?.message}`));
          for (const url of urls) {
            const bytes = await (await fetch(url)).arrayBuffer();
            buffer.appendBuffer(bytes);
            await new Promise((r) => buffer.addEventListener("updateend", r, { once: true }));
            if (error) break;
          }
          const ranges = Array.from({ length: buffer.buffered.length }, (_, i) => [
            buffer.buffered.start(i),
            buffer.buffered.end(i),
          ]);
          return { error, ranges };
        },
        { urls, type },
      );
      expect(result.error, variant.uri).toBe("");
      // One continuous range from the start to the end of the clip.
      expect(result.ranges, variant.uri).toHaveLength(1);
      expect(result.ranges![0]![0]!, variant.uri).toBeLessThan(0.1);
      expect(result.ranges![0]![1]!, variant.uri).toBeGreaterThan(19.5);
    }
    await page.context().close();
  }, 120_000);

  it("starts at the server's start level and switches up and down the ladder without a stall", async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    const errors = collectErrors(page);
    const requested: string[] = [];
    page.on("request", (request) => requested.push(new URL(request.url()).pathname));
    // The first frame's height, as the player presents it (playback asked for as soon as the
    // page's script has given the player its source, as a click would).
    await page.addInitScript(() => {
      const start = () => {
        const video = document.getElementById("video") as (HTMLVideoElement & { nativeEl?: HTMLVideoElement }) | null;
        if (!video?.getAttribute("src") && !video?.src) return requestAnimationFrame(start);
        video.muted = true;
        video.play().catch(() => {});
        (video.nativeEl ?? video).requestVideoFrameCallback((_now, meta) => {
          (window as unknown as { firstHeight?: number }).firstHeight = meta.height;
        });
      };
      document.addEventListener("DOMContentLoaded", start);
    });
    await page.goto(`${e2e.stack.url}/watch/${videoId}`);
    const startLevel = Number(await page.locator("#watch").getAttribute("data-start-level"));
    // The lowest rendition of 360p or more (hls.js sorts levels by height: 144p, 240p, 360p, ...).
    expect(startLevel).toBe(2);
    await page.waitForFunction(() => (document.getElementById("video") as unknown as { api: unknown }).api);
    const report = await page.evaluate(async (start) => {
      type Hls = {
        levels: { height: number }[];
        currentLevel: number;
        nextLevel: number;
        loadLevel: number;
        autoLevelEnabled: boolean;
        config: { maxBufferLength: number; maxMaxBufferLength: number };
        on(event: string, fn: (event: string, data: Record<string, unknown>) => void): void;
      };
      const element = document.getElementById("video") as unknown as HTMLVideoElement & {
        api: Hls;
        nativeEl?: HTMLVideoElement;
      };
      const video = element.nativeEl ?? element;
      const hls = element.api;
      const switched: number[] = [];
      const fatal: string[] = [];
      let waiting = 0;
      let started = false;
      hls.on("hlsLevelSwitched", (_e, data) => switched.push(data.level as number));
      hls.on("hlsError", (_e, data) => {
        if (data.fatal) fatal.push(String(data.details));
      });
      video.addEventListener("playing", () => (started = true));
      video.addEventListener("waiting", () => {
        if (started) waiting++;
      });
      // A short buffer ahead: a switch asked for takes effect at most a few seconds of playback
      // later even when hls.js finds no fragment it may flush (it skips the flush when its
      // estimate of the next fetch, which grows with a slow machine's time to first byte,
      // reaches past what is buffered; a CI run then never left the top rung: [4, 4, 3]).
      hls.config.maxBufferLength = 6;
      hls.config.maxMaxBufferLength = 6;
      video.muted = true;
      await video.play();
      while (!(window as unknown as { firstHeight?: number }).firstHeight) await new Promise((r) => setTimeout(r, 50));
      const first = (window as unknown as { firstHeight: number }).firstHeight;
      const startHeight = hls.levels[start]!.height;
      // Up to the top, then down to the bottom: each a smooth switch (the buffer ahead is
      // replaced from the next segment on, the picture never stops).
      const top = hls.levels.length - 1;
      const order = [top, 0, Math.min(start + 1, top)];
      const reached: number[] = [];
      for (const level of order) {
        hls.nextLevel = level;
        const deadline = performance.now() + 15_000;
        while (hls.currentLevel !== level && performance.now() < deadline) await new Promise((r) => setTimeout(r, 100));
        reached.push(hls.currentLevel);
        const t = video.currentTime;
        while (video.currentTime < t + 1 && performance.now() < deadline + 5_000)
          await new Promise((r) => setTimeout(r, 100));
      }
      return {
        first,
        startHeight,
        top,
        order,
        reached,
        switched,
        waiting,
        fatal,
        currentTime: video.currentTime,
        decoded: (
          video as HTMLVideoElement & { getVideoPlaybackQuality(): VideoPlaybackQuality }
        ).getVideoPlaybackQuality().totalVideoFrames,
      };
    }, startLevel);
    // The first frame comes from the start level (360p), not the lowest rung.
    expect(report.startHeight).toBe(360);
    expect(report.first).toBe(report.startHeight);
    expect(report.reached, JSON.stringify(report)).toEqual(report.order);
    expect(report.switched, JSON.stringify(report)).toEqual(expect.arrayContaining(report.order));
    expect(report.fatal).toEqual([]);
    expect(report.waiting, `stalls after playback began: ${JSON.stringify(report)}`).toBe(0);
    expect(report.decoded).toBeGreaterThan(0);
    expect(errors).toEqual([]);
    // The master and the start rendition's playlist came with the page: never requested. The
    // other levels' playlists were, as the player switched to them.
    const playlists = requested.filter((path) => path.endsWith(".m3u8"));
    expect(playlists.filter((path) => path.endsWith("/master.m3u8") || path.endsWith("/360p/index.m3u8"))).toEqual([]);
    expect(
      playlists.some((path) => path.endsWith("/144p/index.m3u8")),
      playlists.join(" "),
    ).toBe(true);
    await context.close();
  }, 120_000);
});
