import { describe, expect, it } from "vitest";
import {
  chooseLadder,
  codecsOf,
  failureOf,
  ladderCommand,
  startRung,
  storyboardPlan,
  storyboardVtt,
  thumbnailCommand,
} from "../src/ffmpeg.ts";
import { finalPlaylist, masterPlaylist, readMediaPlaylist } from "../src/playlists.ts";
import type { RenditionOut } from "../src/protocol.ts";

const source = (
  width: number,
  height: number,
  extra: Partial<{ bitrate: number; frame_rate: number; has_audio: boolean }> = {},
) => ({
  width,
  height,
  bitrate: 0,
  frame_rate: 30,
  has_audio: true,
  duration: 60,
  codec: "h264",
  rotation: 0,
  ...extra,
});

describe("ladder choice", () => {
  it("never goes above the source, keeps the aspect with even sizes", () => {
    expect(chooseLadder(source(1920, 1080)).map((r) => r.name)).toEqual([
      "144p",
      "240p",
      "360p",
      "480p",
      "720p",
      "1080p",
    ]);
    expect(
      chooseLadder(source(3840, 2160))
        .map((r) => r.name)
        .at(-1),
    ).toBe("2160p");
    expect(chooseLadder(source(640, 360)).map((r) => `${r.width}x${r.height}`)).toEqual([
      "256x144",
      "426x240",
      "640x360",
    ]);
    // Odd source sizes still give even outputs.
    for (const r of chooseLadder(source(853, 479))) {
      expect(r.width % 2).toBe(0);
      expect(r.height % 2).toBe(0);
    }
    // A source smaller than the lowest rung still gets one rendition.
    expect(chooseLadder(source(160, 120)).map((r) => r.name)).toEqual(["144p"]);
  });

  it("names portrait renditions by their short side and keeps them upright", () => {
    const ladder = chooseLadder(source(1080, 1920));
    expect(ladder.map((r) => r.name)).toEqual(["144p", "240p", "360p", "480p", "720p", "1080p"]);
    expect(ladder.at(-1)).toMatchObject({ width: 1080, height: 1920 });
    expect(ladder[0]!.width).toBeLessThan(ladder[0]!.height);
  });

  it("sets bitrates by bits per pixel, capped near the source's", () => {
    const free = chooseLadder(source(1920, 1080));
    expect(free.at(-1)!.videoBitrate).toBeGreaterThan(3_000_000);
    expect(free.map((r) => r.videoBitrate)).toEqual([...free.map((r) => r.videoBitrate)].sort((a, b) => a - b));
    const starved = chooseLadder(source(1920, 1080, { bitrate: 1_000_000 }));
    expect(Math.max(...starved.map((r) => r.videoBitrate))).toBeLessThanOrEqual(1_100_000);
  });
});

describe("the one-decode command", () => {
  it("splits one decode into a scaler per rung with aligned 2 s keyframes", () => {
    const meta = source(1280, 720);
    const rungs = chooseLadder(meta);
    const cmd = ladderCommand(meta, rungs, {
      segment_seconds: 6,
      max_duration_seconds: 3600,
      codec: "h264",
      segment_type: "ts",
    });
    expect(cmd.complexFilter).toMatch(/^\[0:v:0\]fps=30,split=5\[v0\]\[v1\]\[v2\]\[v3\]\[v4\];/);
    expect(cmd.outputs.map((o) => o.dir)).toEqual(["144p", "240p", "360p", "480p", "720p", "audio"]);
    for (const o of cmd.outputs.slice(0, -1)) {
      expect(o.options.join(" ")).toContain("keyint=60:min-keyint=60:scenecut=0:open-gop=0");
      expect(o.options.join(" ")).toContain("-force_key_frames expr:gte(t,n_forced*2)");
      expect(o.options.join(" ")).toContain("-hls_time 6");
      expect(o.options.join(" ")).toContain("-profile:v high");
    }
  });

  it("starts with the lowest rendition of 360p or more, or the top of a shorter ladder", () => {
    expect(startRung(chooseLadder(source(1920, 1080)))?.name).toBe("360p");
    expect(startRung(chooseLadder(source(1080, 1920)))?.name).toBe("360p");
    expect(startRung(chooseLadder(source(426, 240)))?.name).toBe("240p");
  });

  it("encodes a part of the ladder with the arguments the whole ladder gives each rung", () => {
    const meta = source(1280, 720);
    const rungs = chooseLadder(meta);
    const settings = { segment_seconds: 6, max_duration_seconds: 3600, codec: "h264", segment_type: "fmp4" } as const;
    const whole = ladderCommand(meta, rungs, settings, 0, { storyboard: storyboardPlan(meta) });
    const start = ladderCommand(meta, [rungs[2]!], settings, 0, { audioOnly: false });
    const rest = ladderCommand(
      meta,
      rungs.filter((_, i) => i !== 2),
      settings,
      0,
      { storyboard: storyboardPlan(meta) },
    );
    expect(start.outputs.map((o) => o.dir)).toEqual(["360p"]);
    expect(rest.outputs.map((o) => o.dir)).toEqual(["144p", "240p", "480p", "720p", "audio", "storyboard"]);
    // The same options for the rung, but for the label of the filter graph's output.
    const label = (o: { options: string[] }) => o.options.map((x) => x.replace(/^\[o\d+\]$/, "[o]"));
    expect(label(start.outputs[0]!)).toEqual(label(whole.outputs.find((o) => o.dir === "360p")!));
    expect(start.complexFilter).toBe(
      "[0:v:0]fps=30,split=1[v0];[v0]scale=640:360:flags=bicubic,setsar=1,format=yuv420p[o0]",
    );
    for (const o of rest.outputs.filter((o) => o.dir !== "storyboard")) {
      expect(label(o)).toEqual(label(whole.outputs.find((w) => w.dir === o.dir)!));
    }
  });

  it("leaves audio out for a silent source", () => {
    const meta = source(640, 360, { has_audio: false });
    const cmd = ladderCommand(meta, chooseLadder(meta), {
      segment_seconds: 6,
      max_duration_seconds: 3600,
      codec: "h264",
      segment_type: "fmp4",
    });
    expect(cmd.outputs.map((o) => o.dir)).not.toContain("audio");
    expect(cmd.outputs[0]!.options.join(" ")).not.toContain("0:a:0");
    expect(cmd.outputs[0]!.options.join(" ")).toContain("-hls_segment_type fmp4");
  });
});

describe("playlists", () => {
  const rendition = (name: string, width: number, height: number, average: number): RenditionOut => ({
    name,
    width,
    height,
    bandwidth: Math.round(average * 1.3),
    average_bandwidth: average,
    codecs: height ? "avc1.64001e,mp4a.40.2" : "mp4a.40.2",
    ...(height ? { frame_rate: 30 } : {}),
    playlist: `${name}/index.m3u8`,
  });
  const variants = (text: string) => text.split("\n").filter((l) => l.endsWith("/index.m3u8"));

  it("writes a master with every attribute players need, audio last", () => {
    const text = masterPlaylist([rendition("144p", 256, 144, 150_000), rendition("audio", 0, 0, 64_000)]);
    const lines = text.trim().split("\n");
    expect(lines.slice(0, 3)).toEqual(["#EXTM3U", "#EXT-X-VERSION:7", "#EXT-X-INDEPENDENT-SEGMENTS"]);
    expect(lines[3]).toBe(
      '#EXT-X-STREAM-INF:BANDWIDTH=195000,AVERAGE-BANDWIDTH=150000,CODECS="avc1.64001e,mp4a.40.2",RESOLUTION=256x144,FRAME-RATE=30.000',
    );
    expect(lines[4]).toBe("144p/index.m3u8");
    expect(lines[5]).toBe('#EXT-X-STREAM-INF:BANDWIDTH=83200,AVERAGE-BANDWIDTH=64000,CODECS="mp4a.40.2"');
    expect(lines.at(-1)).toBe("audio/index.m3u8");
  });

  it("lists first the rendition nearest 2 Mbit/s (playback starts there, not at 144p), the rest from the lowest up", () => {
    // The 1080p ladder's average rates, shuffled; 1080p (4.5 Mbit/s) is past the 3 Mbit/s ceiling.
    const full = [
      rendition("480p", 854, 480, 1_360_000),
      rendition("144p", 256, 144, 350_000),
      rendition("1080p", 1920, 1080, 4_480_000),
      rendition("audio", 0, 0, 64_000),
      rendition("720p", 1280, 720, 2_340_000),
      rendition("240p", 426, 240, 590_000),
      rendition("360p", 640, 360, 960_000),
    ];
    expect(variants(masterPlaylist(full))).toEqual(
      ["720p", "144p", "240p", "360p", "480p", "1080p", "audio"].map((n) => `${n}/index.m3u8`),
    );
    // A ladder that stops at 360p starts at its top; one that starts above 3 Mbit/s at its lowest.
    expect(variants(masterPlaylist(full.filter((r) => r.height <= 360)))[0]).toBe("360p/index.m3u8");
    const rich = [rendition("720p", 1280, 720, 3_500_000), rendition("1080p", 1920, 1080, 7_000_000)];
    expect(variants(masterPlaylist(rich))).toEqual(["720p/index.m3u8", "1080p/index.m3u8"]);
    // While only the lowest exists (the early master), it is the one listed.
    expect(variants(masterPlaylist([rendition("144p", 256, 144, 350_000)]))).toEqual(["144p/index.m3u8"]);
  });

  it("says version 7 over fMP4 media playlists (EXT-X-MAP needs 6 or more), 6 over MPEG-TS", () => {
    const one = [rendition("144p", 256, 144, 150_000)];
    expect(masterPlaylist(one, "fmp4")).toMatch(/^#EXT-X-VERSION:7$/m);
    expect(masterPlaylist(one, "ts")).toMatch(/^#EXT-X-VERSION:6$/m);
  });

  it("finishes a playlist as VOD with independent segments, once", () => {
    const audio =
      '#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-TARGETDURATION:6\n#EXT-X-PLAYLIST-TYPE:EVENT\n#EXT-X-MAP:URI="init.mp4"\n#EXTINF:6.0,\nseg_00000.m4s\n#EXT-X-ENDLIST\n';
    const done = finalPlaylist(audio);
    expect(done).toContain("#EXT-X-PLAYLIST-TYPE:VOD\n#EXT-X-INDEPENDENT-SEGMENTS\n#EXT-X-MAP");
    expect(finalPlaylist(done)).toBe(done);
  });

  it("reads segments, durations and the end of a media playlist", () => {
    const facts = readMediaPlaylist(
      '#EXTM3U\n#EXT-X-MAP:URI="init.mp4"\n#EXTINF:6.000,\nseg_00000.m4s\n#EXTINF:2.5,\nseg_00001.m4s\n#EXT-X-ENDLIST\n',
    );
    expect(facts).toEqual({
      segments: ["seg_00000.m4s", "seg_00001.m4s"],
      durations: [6, 2.5],
      init: "init.mp4",
      ended: true,
    });
  });

  it("spells codecs as RFC 6381 wants them", () => {
    expect(codecsOf({ level: "3.1" }, true)).toBe("avc1.64001f,mp4a.40.2");
    expect(codecsOf({ level: "4.0" }, false)).toBe("avc1.640028");
  });

  it("indexes a storyboard sprite in WebVTT", () => {
    const plan = storyboardPlan({ duration: 25, width: 1280, height: 720 });
    expect(plan).toMatchObject({ interval: 1, columns: 10, rows: 3, tileWidth: 160, tileHeight: 90 });
    const vtt = storyboardVtt(plan, 25);
    expect(vtt.startsWith("WEBVTT")).toBe(true);
    expect(vtt).toContain("00:00:11.000 --> 00:00:12.000\nsprite.jpg#xywh=160,90,160,90");
  });
});

describe("thumbnails", () => {
  it("writes the inline poster (160 px wide, coarse) with the first thumbnail only", () => {
    const first = thumbnailCommand(source(1920, 1080), "0", 0);
    expect(first.outputs.map((o) => o.path)).toEqual([
      "thumbnails/0_small.jpg",
      "thumbnails/0_medium.jpg",
      "thumbnails/0_large.jpg",
      "thumbnails/0_inline.jpg",
    ]);
    expect(first.filter).toMatch(/^\[0:v:0\]thumbnail=50,split=4\[t0\]\[t1\]\[t2\]\[t3\];/);
    expect(first.filter).toContain("[t3]scale=160:90[inline]");
    const later = thumbnailCommand(source(1920, 1080), "50", 30);
    expect(later.outputs.map((o) => o.path)).not.toContain("thumbnails/50_inline.jpg");
    expect(later.filter).toMatch(/split=3\[t0\]\[t1\]\[t2\];/);
  });
});

describe("failures", () => {
  it("blames the source for decode errors and ourselves for an encoder that will not start", () => {
    // Lines as this ffmpeg prints them.
    expect(
      failureOf(
        "[h264 @ 0x55] Invalid NAL unit size (1234 > 567).\n[h264 @ 0x55] Error splitting the input into NAL units.\nsource: Invalid data found when processing input",
      ),
    ).toBe("malformed_video");
    expect(
      failureOf(
        "[mov,mp4,m4a,3gp,3g2,mj2 @ 0x5] stream 0, offset 0x30: partial file\nsource: Invalid data found when processing input",
      ),
    ).toBe("malformed_video");
    expect(
      failureOf(
        "[libx264 @ 0x5] high profile doesn't support 4:4:4\nError initializing output stream 0:0 -- Error while opening encoder for output stream #0:0 - maybe incorrect parameters such as bit_rate, rate, width or height\nConversion failed!",
      ),
    ).toBe("transcode_failed");
    expect(
      failureOf("Error reinitializing filters!\nFailed to inject frame into filter network: Invalid argument"),
    ).toBe("transcode_failed");
    expect(failureOf("Unknown encoder 'libx265'")).toBe("transcode_failed");
  });
});
