// npm run bench:delivery — HLS delivery and metadata against a bare Worker, side by side.
//
// Starts the real local stack (scripts/start.mjs: wrangler dev + the transcoder), uploads a
// generated 720p clip through the API and waits until it is ready; starts a bare Worker
// (bench/bare) in the same runtime holding the same segment bytes (the lowest rendition's
// first segment) and the same JSON body. Then, interleaved, several rounds of:
//   - segment cache hits: GET /videos/{id}/{segment}            vs bare R2 GET, and vs a bare
//     Worker's own cache hits (no router, middleware or access check: what the platform's
//     hit path costs beyond the cache read, at most; issue 18's block check alone is measured
//     against the hit path before it, docs/benchmarks.md)
//   - segment cache misses: the same with Cache-Control: no-cache vs bare R2 GET, and vs a
//     bare Worker that reads R2 and fills its cache on every request (what a miss must do,
//     with no router, middleware or access check)
//   - GET /api/v1/videos/{id} at 50 connections                  vs bare fixed JSON
// and prints requests/s, p50 and p99 for each, with ratios. Results go to docs/benchmarks.md.
// Any failed request (error, timeout, non-2xx) fails the run. BENCH_SMOKE=1: a 4 s 640x360
// clip, one round of 1 s loads.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import path from "node:path";
import autocannon from "autocannon";
import { testVideo } from "../transcoder/test/clips.ts";
import {
  announceSmoke,
  check,
  checkFinite,
  median,
  register,
  setting,
  sized,
  smokeFooter,
  startStackAndBare,
} from "./lib.ts";

const require = createRequire(import.meta.url);
const ffmpeg: string = process.env.FFMPEG_PATH ?? require("@ffmpeg-installer/ffmpeg").path;
const seconds = setting("BENCH_SECONDS", 8, 1);
const rounds = setting("BENCH_ROUNDS", 3, 1);
const clip = sized({ seconds: 20, size: "1280x720" }, { seconds: 4, size: "640x360" });
announceSmoke();

interface Result {
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  requests: number;
}

async function load(url: string, connections: number, headers: Record<string, string> = {}): Promise<Result> {
  const r = await autocannon({ url, connections, duration: seconds, headers, pipelining: 1 });
  const bad = r.errors + r.timeouts + r.non2xx;
  return { rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, errors: bad, requests: r.requests.total };
}

async function json<T>(res: Response): Promise<T> {
  if (!res.ok) throw new Error(`${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

async function makeReadyVideo(api: string): Promise<{ videoId: string; segment: string; token: string }> {
  const dir = mkdtempSync(path.join(tmpdir(), "bench-delivery-"));
  const file = path.join(dir, "clip.mp4");
  const made = spawnSync(ffmpeg, [
    "-hide_banner",
    "-loglevel",
    "error",
    ...testVideo(clip.size, clip.seconds, [], ["-preset", "veryfast"]),
    file,
  ]);
  if (made.status !== 0) throw new Error(`ffmpeg: ${made.stderr}`);
  const bytes = readFileSync(file);
  rmSync(dir, { recursive: true, force: true });

  const token = await register(api);
  const auth = { Authorization: `Bearer ${token}` };
  const init = await json<{ upload_id: string; video_id: string; part_size: number }>(
    await fetch(`${api}/api/v1/videos/upload/initiate`, {
      method: "POST",
      headers: { ...auth, "Content-Type": "application/json" },
      body: JSON.stringify({
        filename: "clip.mp4",
        size: bytes.length,
        content_type: "video/mp4",
        title: "Delivery bench",
      }),
    }),
  );
  for (let part = 1, at = 0; at < bytes.length; part++, at += init.part_size) {
    await json(
      await fetch(`${api}/api/v1/videos/upload/${init.upload_id}/chunk?part=${part}`, {
        method: "PUT",
        headers: auth,
        body: bytes.subarray(at, at + init.part_size),
      }),
    );
  }
  await json(await fetch(`${api}/api/v1/videos/upload/${init.upload_id}/complete`, { method: "POST", headers: auth }));
  const deadline = Date.now() + 300_000;
  for (;;) {
    const status = await json<{ status: string; progress: number }>(
      await fetch(`${api}/api/v1/videos/${init.video_id}/status`),
    );
    if (status.status === "ready") break;
    if (status.status === "failed" || Date.now() > deadline)
      throw new Error(`processing ended ${JSON.stringify(status)}`);
    await new Promise((r) => setTimeout(r, 1000));
  }
  const text = async (url: string) => {
    const res = await fetch(url);
    if (!res.ok) throw new Error(`${url}: ${res.status}`);
    return res.text();
  };
  const master = (await text(`${api}/videos/${init.video_id}/master.m3u8`)).split("\n").map((l) => l.trim());
  // The lowest video rendition (the master lists the start rendition first, not the lowest).
  const renditions = master.flatMap((line, i) => {
    if (!line.startsWith("#EXT-X-STREAM-INF:") || !line.includes("RESOLUTION=")) return [];
    const bandwidth = /[:,]BANDWIDTH=(\d+)/.exec(line)?.[1];
    const uri = master[i + 1];
    return bandwidth && uri ? [{ bandwidth: Number(bandwidth), uri }] : [];
  });
  const rendition = renditions.sort((a, b) => a.bandwidth - b.bandwidth)[0]?.uri;
  check(rendition, `no video rendition in the master playlist:\n${master.join("\n")}`);
  const playlist = await text(`${api}/videos/${init.video_id}/${rendition}`);
  const segment = playlist
    .split("\n")
    .find((l) => l.trim() && !l.startsWith("#"))
    ?.trim();
  check(segment, `no segment in ${rendition}:\n${playlist}`);
  const base = rendition.includes("/") ? rendition.slice(0, rendition.lastIndexOf("/") + 1) : "";
  return { videoId: init.video_id, segment: `${base}${segment}`, token };
}

const { stack, bare } = await startStackAndBare({ RATE_LIMIT_SCALE: "100000" });
try {
  console.log("preparing a ready video through the real pipeline ...");
  const { videoId, segment } = await makeReadyVideo(stack.url);
  const segmentUrl = `${stack.url}/videos/${videoId}/${segment}`;
  const body = async (url: string, init?: RequestInit) => {
    const res = await fetch(url, init);
    if (!res.ok) throw new Error(`${init?.method ?? "GET"} ${url}: ${res.status}`);
    return Buffer.from(await res.arrayBuffer());
  };
  const segmentBytes = await body(segmentUrl);
  const page = (await body(`${stack.url}/api/v1/videos/${videoId}`)).toString();
  await body(`${bare.url}/object/segment.ts`, { method: "PUT", body: segmentBytes });
  await body(`${bare.url}/json`, { method: "PUT", body: page });
  // Both sides serve the same bytes, or the comparison compares nothing.
  check(
    (await body(`${bare.url}/object/segment.ts`)).equals(segmentBytes) &&
      (await body(`${bare.url}/cached/segment.ts`)).equals(segmentBytes) &&
      (await body(`${bare.url}/filled/segment.ts`)).equals(segmentBytes) &&
      (await body(`${bare.url}/json`)).toString() === page,
    "the bare Worker does not serve the segment and page it was given",
  );
  console.log(`segment ${segment}: ${segmentBytes.length} bytes; page JSON ${page.length} bytes`);

  const cases = {
    "segment, cache hit": () => load(segmentUrl, 10),
    "segment, cache miss": () => load(segmentUrl, 10, { "Cache-Control": "no-cache" }),
    "bare R2 GET": () => load(`${bare.url}/object/segment.ts`, 10),
    "bare cache hit, no checks": () => load(`${bare.url}/cached/segment.ts`, 10),
    "bare R2 GET + cache fill, no checks": () => load(`${bare.url}/filled/segment.ts`, 10),
    "GET /api/v1/videos/{id}, 50 conns": () => load(`${stack.url}/api/v1/videos/${videoId}`, 50),
    "bare fixed JSON, 50 conns": () => load(`${bare.url}/json`, 50),
  };
  const results: Record<string, Result[]> = Object.fromEntries(Object.keys(cases).map((k) => [k, []]));
  for (let round = 1; round <= rounds; round++) {
    for (const [name, run] of Object.entries(cases)) {
      const r = await run();
      results[name]!.push(r);
      console.log(
        `round ${round} ${name}: ${r.rps.toFixed(0)} req/s p50 ${r.p50} ms p99 ${r.p99} ms errors ${r.errors}`,
      );
    }
  }
  const m = (name: string, key: keyof Result) => median(results[name]!.map((r) => r[key]));
  const rows = Object.keys(cases).map(
    (name) =>
      `| ${name} | ${m(name, "rps").toFixed(0)} | ${m(name, "p50")} | ${m(name, "p99")} | ${results[name]!.reduce((s, r) => s + r.errors, 0)} |`,
  );
  const hitRatio = m("segment, cache hit", "rps") / m("bare R2 GET", "rps");
  const checkRatio = m("segment, cache hit", "rps") / m("bare cache hit, no checks", "rps");
  const missRatio = m("segment, cache miss", "rps") / m("bare R2 GET", "rps");
  const fillRatio = m("segment, cache miss", "rps") / m("bare R2 GET + cache fill, no checks", "rps");
  const p99Ratio = m("GET /api/v1/videos/{id}, 50 conns", "p99") / Math.max(1, m("bare fixed JSON, 50 conns", "p99"));
  console.log(`
| case | req/s | p50 ms | p99 ms | errors |
|---|---|---|---|---|
${rows.join("\n")}

segment hits / bare: ${hitRatio.toFixed(2)} (goal >= 0.95)
segment hits / bare cache hits (no router, middleware or checks): ${checkRatio.toFixed(2)} (an upper bound of what the hit path adds; goal >= 0.95 as for the R2 ratio)
segment misses / bare: ${missRatio.toFixed(2)} (goal >= 0.9)
segment misses / bare R2 GET + cache fill (no router, middleware or checks): ${fillRatio.toFixed(2)} (what the miss path adds beyond the read and the cache write)
metadata p99 / bare p99: ${p99Ratio.toFixed(2)} (goal <= 1.25; 1.12 before the pages and rate limits, 1.78-2.03 when issue 20 was filed)
(medians of ${rounds} interleaved rounds of ${seconds} s; segment ${segmentBytes.length} bytes)`);
  smokeFooter();
  // A load that got errors measured the errors: fail, after the table that shows where.
  const failed = Object.entries(results).filter(([, rs]) => rs.some((r) => r.errors > 0 || r.requests === 0));
  check(
    !failed.length,
    `requests failed (errors, timeouts or non-2xx answers) or none were made: ${failed.map(([name]) => name).join("; ")}`,
  );
  checkFinite({
    "hits / bare": hitRatio,
    "hits / bare cache hits": checkRatio,
    "misses / bare": missRatio,
    "misses / bare R2 GET + cache fill": fillRatio,
    "metadata p99 / bare p99": p99Ratio,
  });
} finally {
  await bare.stop();
  await stack.stop();
}
