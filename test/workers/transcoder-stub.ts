import { exports } from "cloudflare:workers";
import { afterEach, beforeEach, expect, vi } from "vitest";
import type { JobRequest } from "../../contracts/transcoder";
import { api, initiate, MiB, mp4Bytes, putPart, type TestUser } from "./fixtures";

/**
 * The transcoder cannot run inside workerd (it is a Container in production, a Node process
 * locally), so Worker tests stub it at its one HTTP boundary: jobs sent to TRANSCODER_URL
 * are recorded, and the tests play the transcoder's part through the signed URLs.
 */
export const transcoder = { jobs: [] as JobRequest[], up: true };

export function stubTranscoder() {
  beforeEach(() => {
    transcoder.jobs = [];
    transcoder.up = true;
    const realFetch = globalThis.fetch;
    vi.spyOn(globalThis, "fetch").mockImplementation(async (input, init) => {
      const request = new Request(input, init);
      if (request.url.startsWith("http://transcoder.test/")) {
        if (!transcoder.up) throw new TypeError("connect ECONNREFUSED");
        transcoder.jobs.push((await request.json()) as JobRequest);
        return Response.json({ job_id: "j" }, { status: 202 });
      }
      return realFetch(request);
    });
  });
  afterEach(() => vi.restoreAllMocks());
}

export async function waitFor<T>(probe: () => Promise<T | undefined | null | false>, what: string): Promise<T> {
  for (let i = 0; i < 100; i++) {
    const value = await probe();
    if (value) return value;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** A user's video, uploaded and completed, with the job the transcoder was sent. */
export async function processingVideo(user: TestUser, visibility = "public") {
  const source = mp4Bytes(5 * MiB, 3);
  const { body } = await initiate(user, { size: source.length, visibility, title: "A test video", tags: ["test"] });
  expect((await putPart(user, body.upload_id, 1, source)).status).toBe(200);
  expect(
    (await api(`/api/v1/videos/upload/${body.upload_id}/complete`, { method: "POST", as: user, json: {} })).status,
  ).toBe(202);
  const job = await waitFor(async () => transcoder.jobs.find((j) => j.video_id === body.video_id), "the job dispatch");
  return { videoId: body.video_id as string, job, source };
}

const call = (url: string, init?: RequestInit) => exports.default.fetch(new Request(url, init));

export const sendEvent = (job: JobRequest, event: unknown) =>
  call(job.events_url, {
    method: "POST",
    body: JSON.stringify(event),
    headers: { "Content-Type": "application/json" },
  });

export const putMedia = (job: JobRequest, path: string, bytes: Uint8Array | string, type?: string) =>
  call(`${job.output.base_url}/${path}?${job.output.query}`, {
    method: "PUT",
    body: bytes,
    headers: type ? { "Content-Type": type } : {},
  });

export const rendition = (name: string, height: number) => ({
  name,
  width: Math.round((height * 16) / 9 / 2) * 2,
  height,
  bandwidth: height * 2000,
  average_bandwidth: height * 1500,
  codecs: "avc1.64001f,mp4a.40.2",
  frame_rate: 30,
  playlist: `${name}/index.m3u8`,
});

export const MASTER =
  '#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-STREAM-INF:BANDWIDTH=288000,RESOLUTION=256x144,CODECS="avc1.64001f,mp4a.40.2"\n144p/index.m3u8\n';
export const MEDIA_PLAYLIST =
  "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:6\n#EXT-X-PLAYLIST-TYPE:VOD\n#EXTINF:6.0,\nseg_00001.ts\n#EXTINF:2.0,\nseg_00002.ts\n#EXT-X-ENDLIST\n";
/** A recognisable segment: byte i is i mod 251. */
export const SEGMENT = Uint8Array.from({ length: 300_000 }, (_, i) => i % 251);

/** A video taken through the whole pipeline to `ready`, with a master, one rendition and thumbnails. */
export async function readyVideo(user: TestUser, visibility = "public") {
  const { videoId, job } = await processingVideo(user, visibility);
  for (const [path, body, type] of [
    ["master.m3u8", MASTER, "application/vnd.apple.mpegurl"],
    ["144p/index.m3u8", MEDIA_PLAYLIST, "application/vnd.apple.mpegurl"],
    ["144p/seg_00001.ts", SEGMENT, "video/mp2t"],
    ["144p/seg_00002.ts", SEGMENT.subarray(0, 1000), "video/mp2t"],
    ["thumbnails/0_medium.jpg", new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3]), "image/jpeg"],
  ] as const) {
    expect((await putMedia(job, path, body, type)).status).toBe(201);
  }
  const done = await sendEvent(job, {
    type: "completed",
    metadata: { duration: 8, width: 256, height: 144 },
    renditions: [rendition("144p", 144)],
    thumbnails: { default: "thumbnails/0_medium.jpg", medium: "thumbnails/0_medium.jpg", scrub: [] },
  });
  expect(done.status).toBe(204);
  return { videoId, job };
}
