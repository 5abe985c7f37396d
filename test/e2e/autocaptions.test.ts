// Auto captions on the real stack (npm start: wrangler dev + the transcoder with Debian's
// pocketsphinx): a spoken clip uploaded, processed, transcribed on request through the
// `captions` queue, and its WebVTT served. Skipped, saying why, where pocketsphinx or
// espeak-ng is missing (CI installs both from .ci/apt-packages).
import { execFile, spawnSync } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { findEngine } from "../../transcoder/src/transcribe.ts";
import { espeakArgs, PHRASES, spokenVideo } from "../../transcoder/test/clips.ts";
import { ffmpeg, send } from "./clients";
import { runningStack } from "./stack";

const engine = await findEngine();
const espeak = spawnSync("espeak-ng", ["--version"]).status === 0;
if (!engine || !espeak) {
  console.warn("autocaptions.test.ts: skipped: pocketsphinx + pocketsphinx-en-us and espeak-ng are needed");
}

describe.skipIf(!engine || !espeak)("auto captions on the real stack", () => {
  const running = runningStack("autocaptions");

  it("transcribes an uploaded spoken clip on request: processing, then a ready WebVTT track whose cues fall where the phrases are said", async () => {
    const { api, stack, work } = running;
    const wavs = PHRASES.map((phrase, i) => {
      const wav = path.join(work, `phrase-${i}.wav`);
      expect(spawnSync("espeak-ng", espeakArgs(phrase, wav)).status).toBe(0);
      return wav;
    });
    const file = path.join(work, "spoken.mp4");
    await promisify(execFile)(ffmpeg, ["-hide_banner", "-loglevel", "error", "-y", ...spokenVideo(wavs, 1.5), file]);

    const owner = await api.register();
    const videoId = await api.upload(owner, file, { title: "Spoken words" });
    await api.waitReady(owner, videoId);

    const asked = await send(`${stack.url}/api/v1/videos/${videoId}/captions/generate`, {
      method: "POST",
      headers: { Authorization: `Bearer ${owner.token}`, "Content-Type": "application/json" },
      body: JSON.stringify({ language: "en" }),
    });
    expect(asked.status).toBe(202);

    type Track = { language: string; source: string; status: string; url: string | null };
    const statuses: string[] = [];
    let track: Track | undefined;
    for (const deadline = Date.now() + 120_000; Date.now() < deadline; ) {
      const { items } = await api.call<{ items: Track[] }>(owner, `/api/v1/videos/${videoId}/captions`);
      track = items.find((t) => t.language === "en");
      if (track) statuses.push(track.status);
      if (track && track.status !== "processing") break;
      await new Promise((r) => setTimeout(r, 500));
    }
    expect(track).toMatchObject({ source: "auto", status: "ready" });
    expect(statuses[0]).toBe("processing");

    const vtt = await (await send(track!.url!)).text();
    expect(vtt.startsWith("WEBVTT")).toBe(true);
    const starts = [...vtt.matchAll(/^(\d\d):(\d\d):(\d\d\.\d{3}) --> /gm)].map(
      ([, h, m, s]) => Number(h) * 3600 + Number(m) * 60 + Number(s),
    );
    expect(starts.length).toBeGreaterThanOrEqual(PHRASES.length);
    // The first phrase follows 1.5 s of silence.
    expect(Math.abs(starts[0]! - 1.5)).toBeLessThanOrEqual(0.3);

    const transcript = await api.call<{ cues: { start: number; text: string }[] }>(
      undefined,
      `/api/v1/videos/${videoId}/transcript`,
    );
    expect(transcript.cues.map((c) => c.start)).toEqual(starts);
    const master = await (await send(`${stack.url}/videos/${videoId}/master.m3u8`)).text();
    expect(master).toMatch(/#EXT-X-MEDIA:TYPE=SUBTITLES,[^\n]*LANGUAGE="en"/);
    const notes = await api.call<{ items: { type: string; video_id: string }[] }>(
      owner,
      "/api/v1/users/me/notifications",
    );
    expect(notes.items).toContainEqual(expect.objectContaining({ type: "captions_ready", video_id: videoId }));
  });
});
