// npm run bench:upload — a 200 MB upload through the API against a bare Worker route that
// only streams the body into R2, side by side in one run and one runtime (wrangler dev).
//
// API: initiate -> PUT /chunk?part=N for every part (sequential, streamed from disk) ->
// complete: everything a client pays for (auth, rate limit, ownership and size checks, magic
// bytes on part 1, D1 part records, the completion claim and the queue message).
// Bare: create multipart -> PUT the body into part N -> complete, nothing else.
// Rounds alternate API and bare so that both see the same machine; the median ratio is the
// figure (goal >= 0.8). BENCH_SMOKE=1: 10 MiB (two parts, the last one short), one round.

import { randomBytes } from "node:crypto";
import { createReadStream, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import { announceSmoke, check, checkFinite, median, register, setting, smokeFooter, startStackAndBare } from "./lib.ts";

const MiB = 1024 * 1024;
const size = setting("BENCH_UPLOAD_MB", 200, 10) * MiB;
const rounds = setting("BENCH_ROUNDS", 3, 1);
const partSize = 8 * MiB;
announceSmoke();

const dir = mkdtempSync(path.join(tmpdir(), "bench-upload-"));
const file = path.join(dir, "big.mp4");
{
  // Incompressible bytes behind an MP4 signature, written once.
  const block = randomBytes(MiB);
  block.write("\0\0\0\x18ftypisom", 0, "latin1");
  const buffer = Buffer.alloc(size);
  for (let at = 0; at < size; at += MiB) block.copy(buffer, at, 0, Math.min(MiB, size - at));
  writeFileSync(file, buffer);
}

const partCount = Math.ceil(size / partSize);
const partLength = (n: number) => (n < partCount ? partSize : size - partSize * (partCount - 1));
const partBody = (n: number) =>
  Readable.toWeb(
    createReadStream(file, { start: (n - 1) * partSize, end: (n - 1) * partSize + partLength(n) - 1 }),
  ) as ReadableStream;

async function ok(res: Response, what: string) {
  if (!res.ok) throw new Error(`${what}: ${res.status} ${await res.text()}`);
  return res;
}

async function throughApi(api: string, token: string): Promise<number> {
  const auth = { Authorization: `Bearer ${token}` };
  const started = performance.now();
  const init = (await (
    await ok(
      await fetch(`${api}/api/v1/videos/upload/initiate`, {
        method: "POST",
        headers: { ...auth, "Content-Type": "application/json" },
        body: JSON.stringify({ filename: "big.mp4", size, content_type: "video/mp4", title: "Upload bench" }),
      }),
      "initiate",
    )
  ).json()) as { upload_id: string; part_size: number };
  if (init.part_size !== partSize) throw new Error(`part size ${init.part_size}`);
  for (let n = 1; n <= partCount; n++) {
    await ok(
      await fetch(`${api}/api/v1/videos/upload/${init.upload_id}/chunk?part=${n}`, {
        method: "PUT",
        headers: { ...auth, "Content-Length": String(partLength(n)) },
        body: partBody(n),
        duplex: "half",
      } as RequestInit),
      `part ${n}`,
    );
  }
  await ok(
    await fetch(`${api}/api/v1/videos/upload/${init.upload_id}/complete`, { method: "POST", headers: auth }),
    "complete",
  );
  return size / MiB / ((performance.now() - started) / 1000);
}

async function throughBare(bare: string, round: number): Promise<number> {
  const key = `bench/${round}/big.mp4`;
  const started = performance.now();
  const { upload_id } = (await (await ok(await fetch(`${bare}/mpu/${key}`, { method: "POST" }), "create")).json()) as {
    upload_id: string;
  };
  const parts: { part: number; etag: string }[] = [];
  for (let n = 1; n <= partCount; n++) {
    const res = await ok(
      await fetch(`${bare}/mpu/${key}?upload_id=${encodeURIComponent(upload_id)}&part=${n}`, {
        method: "PUT",
        headers: { "Content-Length": String(partLength(n)) },
        body: partBody(n),
        duplex: "half",
      } as RequestInit),
      `bare part ${n}`,
    );
    parts.push((await res.json()) as { part: number; etag: string });
  }
  await ok(
    await fetch(`${bare}/mpu/${key}/complete?upload_id=${encodeURIComponent(upload_id)}`, {
      method: "POST",
      body: JSON.stringify(parts),
    }),
    "bare complete",
  );
  return size / MiB / ((performance.now() - started) / 1000);
}

const { stack, bare } = await startStackAndBare({ RATE_LIMIT_SCALE: "100000" });
try {
  const token = await register(stack.url);
  // One warm-up each, not counted: first requests compile code and open databases.
  await throughApi(stack.url, token);
  await throughBare(bare.url, 0);
  const api: number[] = [];
  const base: number[] = [];
  for (let round = 1; round <= rounds; round++) {
    api.push(await throughApi(stack.url, token));
    base.push(await throughBare(bare.url, round));
    console.log(`round ${round}: API ${api.at(-1)!.toFixed(1)} MiB/s, bare ${base.at(-1)!.toFixed(1)} MiB/s`);
  }
  const ratios = api.map((a, i) => a / base[i]!);
  check(api.length === rounds && base.length === rounds, `${api.length} and ${base.length} of ${rounds} rounds ran`);
  checkFinite({ "API MiB/s": median(api), "bare MiB/s": median(base), "API / bare": median(ratios) });
  console.log(`
| ${size / MiB} MiB in ${partCount} parts of 8 MiB | median MiB/s | rounds |
|---|---|---|
| through the API (initiate, chunks, complete) | ${median(api).toFixed(1)} | ${api.map((x) => x.toFixed(1)).join(", ")} |
| bare Worker (body straight into R2 parts) | ${median(base).toFixed(1)} | ${base.map((x) => x.toFixed(1)).join(", ")} |

API / bare, median of per-round ratios: ${median(ratios).toFixed(2)} (goal >= 0.8)`);
  smokeFooter();
} finally {
  await bare.stop();
  await stack.stop();
  rmSync(dir, { recursive: true, force: true });
}
