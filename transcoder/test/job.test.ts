import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runJob } from "../src/job.ts";
import { readMediaPlaylist } from "../src/playlists.ts";
import { type JobEvent, JobRequest } from "../src/protocol.ts";
import { Publisher } from "../src/publish.ts";
import {
  clip,
  decodeErrors,
  describe as describeMedia,
  type FakeWorker,
  fakeWorker,
  keyframeTimes,
  playable,
  rotated,
  testVideo,
} from "./harness.ts";
import { hlsProblems } from "./hls-rules.ts";

let worker: FakeWorker;
beforeAll(async () => {
  worker = await fakeWorker();
});
afterAll(() => worker.close());

describe("a full job", () => {
  let events: JobEvent[];
  let objects: Map<string, Buffer>;
  beforeAll(async () => {
    const source = clip("full.mp4", testVideo("640x360", 7));
    const job = JobRequest.parse(worker.job("full", source));
    worker.events.length = 0;
    worker.objects.clear();
    await runJob(job, new Publisher(job), { publishEveryMs: 200 });
    events = [...worker.events];
    objects = new Map(worker.objects);
  }, 120_000);

  it("reports probe, early playability, ready renditions and completion, with progress that never goes down", () => {
    const types = events.map((e) => e.type);
    expect(types[0]).toBe("progress");
    expect(types).toContain("probed");
    expect(types.at(-1)).toBe("completed");
    const firstReady = types.indexOf("rendition_ready");
    expect(firstReady).toBeGreaterThan(types.indexOf("probed"));
    expect(firstReady).toBeLessThan(types.indexOf("completed"));
    // Playable early: the lowest rendition is announced while the ladder is still encoding.
    const lastTranscoding = events.map((e) => e.type === "progress" && e.stage === "transcoding").lastIndexOf(true);
    expect(firstReady).toBeLessThan(lastTranscoding);
    const progress = events.filter((e) => e.type === "progress").map((e) => (e as { progress: number }).progress);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
    const probed = events.find((e) => e.type === "probed") as Extract<JobEvent, { type: "probed" }>;
    expect(probed.metadata).toMatchObject({ width: 640, height: 360, has_audio: true, codec: "h264" });
    expect(probed.metadata.duration).toBeCloseTo(7, 0);
  });

  it("makes the ladder up to the source, an audio rendition, and a master with every attribute", () => {
    const done = events.at(-1) as Extract<JobEvent, { type: "completed" }>;
    expect(done.renditions.map((r) => r.name)).toEqual(["144p", "240p", "360p", "audio"]);
    const master = objects.get("master.m3u8")!.toString();
    for (const r of done.renditions.filter((r) => r.height > 0)) {
      expect(master).toContain(`RESOLUTION=${r.width}x${r.height}`);
    }
    expect(master).toMatch(
      /BANDWIDTH=\d+,AVERAGE-BANDWIDTH=\d+,CODECS="avc1\.6400[0-9a-f]{2},mp4a\.40\.2",RESOLUTION=256x144,FRAME-RATE=30\.000/,
    );
    expect(master).toContain('CODECS="mp4a.40.2"');
    // The early master named only the start rendition (360p, encoded first); the final one
    // starts playback at the top of this short ladder (nearest 2 Mbit/s).
    const early = events.find((e) => e.type === "rendition_ready") as Extract<JobEvent, { type: "rendition_ready" }>;
    expect(early.rendition.name).toBe("360p");
    const listed = master.split("\n").filter((l) => l.endsWith(".m3u8"));
    expect(listed).toEqual(["360p/index.m3u8", "144p/index.m3u8", "240p/index.m3u8", "audio/index.m3u8"]);
  });

  it("writes VOD playlists whose segments decode and line up across renditions", () => {
    const durations: number[][] = [];
    for (const name of ["144p", "240p", "360p"]) {
      const playlist = objects.get(`${name}/index.m3u8`)!.toString();
      expect(playlist).toContain("#EXT-X-PLAYLIST-TYPE:VOD");
      expect(playlist).toContain("#EXT-X-ENDLIST");
      const facts = readMediaPlaylist(playlist);
      durations.push(facts.durations.map((d) => Math.round(d * 100) / 100));
      // Segments of 2 s (the test's setting), the last one shorter.
      for (const d of facts.durations.slice(0, -1)) expect(d).toBeCloseTo(2, 1);
      for (const segment of facts.segments) {
        const { bytes, ext } = playable(objects, name, segment);
        // Every segment starts on a keyframe, so players can switch renditions at any boundary.
        expect(describeMedia(bytes, ext).firstFrameIsKey, `${name}/${segment}`).toBe(true);
        expect(decodeErrors(bytes, ext), `${name}/${segment}`).toBe("");
      }
    }
    expect(durations[1]).toEqual(durations[0]);
    expect(durations[2]).toEqual(durations[0]);
  });

  it("writes fMP4 (CMAF) that keeps the HLS rules: EXT-X-MAP, version, init segment, tfdt, CODECS from the stream", () => {
    expect(hlsProblems(objects, { segmentSeconds: 2 })).toEqual([]);
    const playlist = objects.get("240p/index.m3u8")!.toString();
    expect(playlist).toMatch(/^#EXT-X-VERSION:7$/m);
    expect(playlist).toMatch(/^#EXT-X-MAP:URI="init.mp4"$/m);
    expect(readMediaPlaylist(playlist).segments.every((s) => s.endsWith(".m4s"))).toBe(true);
    expect(objects.get("master.m3u8")!.toString()).toMatch(/^#EXT-X-VERSION:7$/m);
    // The audio-only rendition is fMP4 too, and plays.
    const audio = readMediaPlaylist(objects.get("audio/index.m3u8")!.toString());
    const { bytes, ext } = playable(objects, "audio", audio.segments[0]!);
    expect(describeMedia(bytes, ext).audio).toMatchObject({ codec: "aac", sampleRate: 48000, layout: "stereo" });
    expect(decodeErrors(bytes, ext)).toBe("");
  });

  it("stores thumbnails of three sizes at four times, and a storyboard", () => {
    for (const label of ["0", "25", "50", "75"]) {
      for (const [size, width] of [
        ["small", 320],
        ["medium", 640],
        ["large", 640],
      ] as const) {
        const jpeg = objects.get(`thumbnails/${label}_${size}.jpg`)!;
        expect([...jpeg.subarray(0, 3)]).toEqual([0xff, 0xd8, 0xff]);
        expect(describeMedia(jpeg, "jpg").image).toEqual([width, (width * 9) / 16]);
      }
    }
    // The inline poster travels in the completed event (the watch page puts it in its HTML), not in R2.
    const done = events.at(-1) as Extract<JobEvent, { type: "completed" }>;
    const inline = done.thumbnails?.inline;
    expect(inline).toMatch(/^data:image\/jpeg;base64,/);
    const poster = Buffer.from(inline!.split(",")[1]!, "base64");
    expect(poster.length).toBeLessThanOrEqual(8 * 1024);
    expect(describeMedia(poster, "jpg").image).toEqual([160, 90]);
    expect(objects.has("thumbnails/0_inline.jpg")).toBe(false);
    expect(objects.get("storyboard/storyboard.vtt")!.toString()).toMatch(/^WEBVTT/);
    expect([...objects.get("storyboard/sprite.jpg")!.subarray(0, 3)]).toEqual([0xff, 0xd8, 0xff]);
  });
});

describe("the start rendition first, and MPEG-TS as a setting", () => {
  async function run(name: string, source: Buffer, settings: Partial<JobRequest["settings"]>, plan?: "ladder") {
    worker.events.length = 0;
    worker.objects.clear();
    const job = JobRequest.parse(worker.job(name, source, settings));
    await runJob(job, new Publisher(job), { publishEveryMs: 100, plan });
    return { events: [...worker.events], objects: new Map(worker.objects) };
  }
  /** Each rendition's keyframe times and segment durations: what switching between them relies on. */
  function gops(objects: Map<string, Buffer>, names: string[]) {
    return Object.fromEntries(
      names.map((name) => {
        const facts = readMediaPlaylist(objects.get(`${name}/index.m3u8`)!.toString());
        const whole = Buffer.concat([
          ...(facts.init ? [objects.get(`${name}/${facts.init}`)!] : []),
          ...facts.segments.map((s) => objects.get(`${name}/${s}`)!),
        ]);
        return [name, { keys: keyframeTimes(whole, facts.init ? "mp4" : "ts"), durations: facts.durations }];
      }),
    );
  }

  it("encodes the start rendition alone first with the GOPs and segments the whole ladder gives it", async () => {
    const source = clip("gops.mp4", testVideo("854x480", 9, [], ["-preset", "veryfast", "-b:v", "3M"]));
    const names = ["144p", "240p", "360p", "480p"];
    const ladder = await run("gops-ladder", source, {}, "ladder");
    const first = await run("gops-first", source, {});
    // Plays with 360p, announced before the rest of the ladder has a rendition out.
    const ready = first.events.filter((e) => e.type === "rendition_ready") as Extract<
      JobEvent,
      { type: "rendition_ready" }
    >[];
    expect(ready[0]!.rendition).toMatchObject({ name: "360p", width: 640, height: 360 });
    expect(ladder.events.find((e) => e.type === "rendition_ready")).toMatchObject({ rendition: { name: "144p" } });
    const a = gops(ladder.objects, names);
    const b = gops(first.objects, names);
    for (const name of names) {
      expect(b[name]!.keys.length, name).toBeGreaterThanOrEqual(4);
      expect(b[name], name).toEqual(a[name]);
      // Keyframes every 2 s, at the same times in every rendition.
      expect(b[name]!.keys).toEqual(b["144p"]!.keys);
    }
    expect(hlsProblems(first.objects, { segmentSeconds: 2 })).toEqual([]);
  }, 180_000);

  it("still writes MPEG-TS when asked, with CODECS read from the stream's parameter sets", async () => {
    const { events, objects } = await run("ts", clip("ts.mp4", testVideo("320x240", 5)), { segment_type: "ts" });
    const done = events.at(-1) as Extract<JobEvent, { type: "completed" }>;
    expect(done.type).toBe("completed");
    expect(hlsProblems(objects, { segmentSeconds: 2 })).toEqual([]);
    const playlist = objects.get("240p/index.m3u8")!.toString();
    expect(playlist).not.toContain("#EXT-X-MAP");
    const facts = readMediaPlaylist(playlist);
    expect(facts.segments.every((s) => s.endsWith(".ts"))).toBe(true);
    const { bytes, ext } = playable(objects, "240p", facts.segments[0]!);
    expect(ext).toBe("ts");
    expect(decodeErrors(bytes, ext)).toBe("");
    expect(done.renditions.find((r) => r.name === "240p")!.codecs).toBe("avc1.64001e,mp4a.40.2");
    expect(objects.get("master.m3u8")!.toString()).toMatch(/^#EXT-X-VERSION:6$/m);
  }, 120_000);
});

describe("awkward sources", () => {
  async function run(name: string, source: Buffer) {
    worker.events.length = 0;
    worker.objects.clear();
    const job = JobRequest.parse(worker.job(name, source));
    await runJob(job, new Publisher(job), { publishEveryMs: 200 });
    return { events: [...worker.events], objects: new Map(worker.objects), last: worker.events.at(-1)! };
  }

  type Completed = Extract<JobEvent, { type: "completed" }>;

  /**
   * Every video rendition is what every player plays: H.264 High, 8-bit 4:2:0, even sizes,
   * each segment starting on a keyframe and decoding to the end; audio, when there is
   * any, is stereo AAC at 48 kHz.
   */
  function expectPlayable(last: JobEvent, objects: Map<string, Buffer>) {
    expect(last.type, JSON.stringify(last)).toBe("completed");
    const done = last as Completed;
    const videos = done.renditions.filter((r) => r.height > 0);
    expect(videos.length).toBeGreaterThan(0);
    for (const r of videos) {
      expect(r.width % 2, r.name).toBe(0);
      expect(r.height % 2, r.name).toBe(0);
      expect(r.codecs).toMatch(/^avc1\.6400[0-9a-f]{2}(,mp4a\.40\.2)?$/);
      const { segments } = readMediaPlaylist(objects.get(r.playlist)!.toString());
      expect(segments.length, r.name).toBeGreaterThan(0);
      for (const segment of segments) {
        const { bytes, ext } = playable(objects, r.name, segment);
        const info = describeMedia(bytes, ext);
        expect(info.video, `${r.name}/${segment}`).toMatchObject({
          codec: "h264",
          profile: "High",
          pixFmt: "yuv420p",
          width: r.width,
          height: r.height,
        });
        expect(info.decodedFmt, `${r.name}/${segment}`).toBe("yuv420p");
        expect(info.firstFrameIsKey, `${r.name}/${segment}`).toBe(true);
        if (done.metadata?.has_audio)
          expect(info.audio, `${r.name}/${segment}`).toMatchObject({
            codec: "aac",
            sampleRate: 48000,
            layout: "stereo",
          });
        expect(decodeErrors(bytes, ext), `${r.name}/${segment}`).toBe("");
      }
    }
    return { done, videos };
  }

  it("gives an odd-sized source even renditions that keep its aspect", async () => {
    // x264 cannot make odd 4:2:0 pictures; 4:4:4 can, and its chroma must come out 4:2:0 too.
    const source = clip("odd.mp4", testVideo("320x240", 2, ["-vf", "scale=321:241", "-pix_fmt", "yuv444p"]));
    expect(describeMedia(source, "mp4").video).toMatchObject({
      codec: "h264",
      width: 321,
      height: 241,
      pixFmt: "yuv444p",
    });
    const { last, objects } = await run("odd", source);
    const { done, videos } = expectPlayable(last, objects);
    expect(done.metadata).toMatchObject({ width: 321, height: 241 });
    expect(videos.map((r) => r.name)).toEqual(["144p", "240p"]);
    for (const r of videos)
      expect(Math.abs(r.width - (r.height * 321) / 241), `${r.width}x${r.height}`).toBeLessThanOrEqual(1.5);
  }, 120_000);

  it("plays a portrait phone video upright (rotation metadata)", async () => {
    clip("upright.mp4", testVideo("320x240", 3));
    const { last, objects } = await run("rotated", rotated("rotated.mp4", "upright.mp4", 90));
    expect(last.type).toBe("completed");
    const done = last as Extract<JobEvent, { type: "completed" }>;
    expect(done.metadata).toMatchObject({ width: 240, height: 320, rotation: 90 });
    const top = done.renditions.filter((r) => r.height > 0).at(-1)!;
    expect(top.width).toBeLessThan(top.height);
    const segment = readMediaPlaylist(objects.get(`${top.name}/index.m3u8`)!.toString()).segments[0]!;
    const { bytes, ext } = playable(objects, top.name, segment);
    const info = describeMedia(bytes, ext);
    expect(info.video!.width).toBeLessThan(info.video!.height);
  }, 60_000);

  it("handles a source with no audio track", async () => {
    const { last } = await run(
      "silent",
      clip("silent.mp4", [
        "-f",
        "lavfi",
        "-i",
        "testsrc2=size=320x240:rate=25",
        "-t",
        "3",
        "-c:v",
        "libx264",
        "-pix_fmt",
        "yuv420p",
      ]),
    );
    const done = last as Extract<JobEvent, { type: "completed" }>;
    expect(done.type).toBe("completed");
    expect(done.renditions.map((r) => r.name)).toEqual(["144p", "240p"]);
    expect(done.renditions[0]!.codecs).not.toContain("mp4a");
  }, 60_000);

  it("turns variable frame rate and 5.1 audio at an odd rate into constant rate and stereo 48 kHz", async () => {
    const source = clip("vfr.mkv", [
      "-f",
      "lavfi",
      "-i",
      "testsrc2=size=320x240:rate=30",
      "-f",
      "lavfi",
      "-i",
      "sine=frequency=300:sample_rate=22050",
      "-t",
      "4",
      "-vf",
      "select='not(mod(n\\,3))+lt(t\\,1)'",
      "-vsync",
      "vfr",
      "-c:v",
      "libx264",
      "-pix_fmt",
      "yuv420p",
      "-ac",
      "6",
      "-c:a",
      "aac",
      "-shortest",
    ]);
    const { last, objects } = await run("vfr", source);
    expect(last.type).toBe("completed");
    const done = last as Extract<JobEvent, { type: "completed" }>;
    const name = done.renditions[0]!.name;
    const segment = readMediaPlaylist(objects.get(`${name}/index.m3u8`)!.toString()).segments[0]!;
    const { bytes, ext } = playable(objects, name, segment);
    const info = describeMedia(bytes, ext);
    expect(info.audio).toMatchObject({ sampleRate: 48000, layout: "stereo" });
    expect(info.video!.fps).toBe(done.renditions[0]!.frame_rate);
  }, 60_000);

  it("turns a 10-bit H.264 source (High 10) into 8-bit H.264 High", async () => {
    const source = clip("h264-10bit.mp4", testVideo("320x240", 2, ["-pix_fmt", "yuv420p10le"]));
    expect(describeMedia(source, "mp4").video).toMatchObject({
      codec: "h264",
      profile: "High 10",
      pixFmt: "yuv420p10le",
    });
    const { last, objects } = await run("h264-10bit", source);
    const { done } = expectPlayable(last, objects);
    expect(done.metadata).toMatchObject({ codec: "h264", width: 320, height: 240, has_audio: true });
  }, 120_000);

  it("turns a 10-bit HEVC source (Main 10 in Matroska) into 8-bit H.264 High", async () => {
    const source = clip(
      "hevc-10bit.mkv",
      testVideo("320x240", 2, ["-c:v", "libx265", "-x265-params", "log-level=error", "-pix_fmt", "yuv420p10le"]),
    );
    expect(describeMedia(source, "mkv").video).toMatchObject({
      codec: "hevc",
      profile: "Main 10",
      pixFmt: "yuv420p10le",
    });
    const { last, objects } = await run("hevc-10bit", source);
    const { done } = expectPlayable(last, objects);
    expect(done.metadata).toMatchObject({ codec: "hevc", width: 320, height: 240, has_audio: true });
  }, 120_000);

  it("takes HEVC in MP4 tagged hvc1 (as iPhones record)", async () => {
    const source = clip(
      "hevc.mp4",
      testVideo("320x240", 2, ["-c:v", "libx265", "-x265-params", "log-level=error", "-tag:v", "hvc1"]),
    );
    expect(describeMedia(source, "mp4").video).toMatchObject({ codec: "hevc", profile: "Main", pixFmt: "yuv420p" });
    expect(source.includes("hvc1")).toBe(true);
    const { last, objects } = await run("hevc", source);
    const { done } = expectPlayable(last, objects);
    expect(done.metadata).toMatchObject({ codec: "hevc", width: 320, height: 240, has_audio: true });
  }, 120_000);

  it("takes VP9 with Opus audio in WebM", async () => {
    const source = clip(
      "vp9.webm",
      testVideo("320x240", 2, [
        "-c:v",
        "libvpx-vp9",
        "-deadline",
        "realtime",
        "-cpu-used",
        "8",
        "-b:v",
        "300k",
        "-c:a",
        "libopus",
      ]),
    );
    expect(describeMedia(source, "webm")).toMatchObject({ video: { codec: "vp9" }, audio: { codec: "opus" } });
    const { last, objects } = await run("vp9", source);
    const { done } = expectPlayable(last, objects);
    expect(done.metadata).toMatchObject({ codec: "vp9", width: 320, height: 240, has_audio: true });
  }, 120_000);

  it("takes AV1 in MP4", async () => {
    // libaom is slow: a tiny, short picture at its fastest setting.
    const source = clip("av1.mp4", [
      "-f",
      "lavfi",
      "-i",
      "testsrc2=size=160x120:rate=15",
      "-f",
      "lavfi",
      "-i",
      "sine=frequency=440:sample_rate=44100",
      "-t",
      "1",
      "-c:v",
      "libaom-av1",
      "-strict",
      "experimental",
      "-cpu-used",
      "8",
      "-b:v",
      "100k",
      "-pix_fmt",
      "yuv420p",
      "-c:a",
      "aac",
      "-shortest",
    ]);
    expect(describeMedia(source, "mp4").video).toMatchObject({ codec: "av1", width: 160, height: 120 });
    const { last, objects } = await run("av1", source);
    const { done, videos } = expectPlayable(last, objects);
    expect(done.metadata).toMatchObject({ codec: "av1", width: 160, height: 120, has_audio: true });
    expect(videos.map((r) => `${r.width}x${r.height}`)).toEqual(["160x120"]);
  }, 120_000);

  it("fails a truncated file as malformed_video and clears its outputs", async () => {
    const whole = clip("whole.mp4", testVideo("320x240", 3, ["-movflags", "+faststart"]));
    const { last } = await run("truncated", whole.subarray(0, Math.floor(whole.length / 3)));
    expect(last).toMatchObject({ type: "failed", code: "malformed_video" });
    expect(worker.cleared).toBeGreaterThan(0);
  }, 60_000);

  it("fails an MP4 cut off before its index (ftyp there, moov missing) as malformed_video", async () => {
    // Without faststart the index (moov) is written last: an interrupted copy loses it.
    const whole = clip("moov-last.mp4", testVideo("320x240", 3));
    expect(whole.subarray(4, 8).toString("latin1")).toBe("ftyp");
    const cut = whole.subarray(0, Math.floor(whole.length * 0.6));
    expect(cut.includes("moov")).toBe(false);
    const { last } = await run("cut-off", cut);
    expect(last).toMatchObject({ type: "failed", code: "malformed_video" });
    expect(worker.cleared).toBeGreaterThan(0);
  }, 60_000);

  it("fails a renamed text file as non_video", async () => {
    const { last } = await run("text", Buffer.from("this is a shopping list, not a film\n".repeat(200)));
    expect(last).toMatchObject({ type: "failed", code: "non_video" });
  }, 60_000);

  it("fails a video over the length limit as duration_too_long", async () => {
    worker.events.length = 0;
    const job = JobRequest.parse(
      worker.job("long", clip("long.mp4", testVideo("160x120", 4)), { max_duration_seconds: 2 }),
    );
    await runJob(job, new Publisher(job));
    expect(worker.events.at(-1)).toMatchObject({ type: "failed", code: "duration_too_long" });
  }, 60_000);
});
