// npm run bench:recs — recommendations and related videos against the video metadata GET,
// in one run on the real local stack (scripts/start.mjs: wrangler dev, local D1/KV/queues,
// the local embedder and D1 vector index).
//
// Seeds a catalogue (BENCH_VIDEOS videos over 12 topics and 10 channels, written to the
// stack's local D1 with `wrangler d1 execute`, then embedded through the real video-index
// queue by an edit of each), and BENCH_VIEWERS viewers who each watch six videos through the
// player API (so co-views come from the real watch-events consumer). Then, one request at a
// time:
//   - recommendations, cold: each viewer's first request (the list is computed);
//   - recommendations, warm: the same viewers again (the list comes from KV);
//   - related, cold and warm: each video's first and later requests;
//   - GET /api/v1/videos/{id}, the baseline, interleaved with the warm rounds.
// Prints p50 and p95 of each and p95 as a ratio to the baseline's. Goal: warm <= 1.5x.
// BENCH_SMOKE=1: 24 videos, 4 viewers, one warm round.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { startStack } from "../test/e2e/stack.ts";
import { announceSmoke, check, checkFinite, setting, sized, smoke, smokeFooter } from "./lib.ts";

const VIDEOS = setting("BENCH_VIDEOS", 200, 24);
const VIEWERS = setting("BENCH_VIEWERS", 40, 4);
const WARM_ROUNDS = setting("BENCH_ROUNDS", 5, 1);
announceSmoke();
const root = path.resolve(import.meta.dirname, "..");

interface Account {
  id: string;
  token: string;
  channel_id: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const pct = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))]!;

async function account(api: string, n: number): Promise<Account> {
  const name = `bench${Date.now().toString(36)}${n}`;
  const res = await fetch(`${api}/api/v1/auth/register`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ email: `${name}@example.com`, username: name, password: "benchmark password" }),
  });
  if (res.status !== 201) throw new Error(`register: ${res.status} ${await res.text()}`);
  const body = (await res.json()) as { token: string; user: { id: string; channel_id: string } };
  return { id: body.user.id, channel_id: body.user.channel_id, token: body.token };
}

async function timed(url: string, token?: string): Promise<number> {
  const started = performance.now();
  const res = await fetch(url, token ? { headers: { Authorization: `Bearer ${token}` } } : {});
  await res.arrayBuffer();
  if (res.status !== 200) throw new Error(`${url}: ${res.status}`);
  return performance.now() - started;
}

const TOPICS = [
  "sourdough bread baking",
  "kayak rolling river",
  "chess openings endgame",
  "rust borrow checker",
  "watercolour painting skies",
  "bouldering climbing footwork",
  "guitar chords strumming",
  "marathon running training",
  "houseplants watering light",
  "astronomy telescope planets",
  "woodworking joinery chisel",
  "espresso coffee grinding",
];

const stack = await startStack({ LOG_REQUESTS: "false" });
const api = stack.url;
try {
  console.log(`stack up at ${api}; seeding ${VIDEOS} videos and ${VIEWERS} viewers`);
  const creators = await Promise.all(Array.from({ length: 10 }, (_, i) => account(api, i)));
  const videos: { id: string; topic: number; owner: Account }[] = [];
  const rows: string[] = [];
  for (let i = 0; i < VIDEOS; i++) {
    const topic = i % TOPICS.length;
    const owner = creators[(i * 7) % creators.length]!;
    const id = `bench${i.toString().padStart(5, "0")}`;
    const published = Date.now() - (i % 30) * 86_400_000;
    const words = TOPICS[topic]!;
    rows.push(
      `('${id}', '${owner.channel_id}', '${owner.id}', '${words} part ${i}', 'All about ${words}.', '${JSON.stringify(words.split(" "))}', 'public', 'ready', 1, 600000, ${published}, ${published}, ${1000 - i})`,
    );
    videos.push({ id, topic, owner });
  }
  const dir = mkdtempSync(path.join(tmpdir(), "bench-recs-"));
  const seed = path.join(dir, "seed.sql");
  writeFileSync(
    seed,
    `INSERT INTO videos (id, channel_id, owner_id, title, description, tags, visibility, status, playable, duration_ms, created_at, published_at, view_count) VALUES\n${rows.join(",\n")};\n`,
  );
  const seeded = spawnSync(
    path.join(root, "node_modules/.bin/wrangler"),
    ["d1", "execute", "DB", "--local", "--persist-to", stack.persistDir, "--file", seed],
    { cwd: root, encoding: "utf8", env: { ...process.env, CI: "true" } },
  );
  rmSync(dir, { recursive: true, force: true });
  if (seeded.status !== 0) throw new Error(`seeding failed: ${seeded.stderr}`);

  // Each video's vector through the real path: an edit sends it to the video-index queue.
  for (const v of videos) {
    const res = await fetch(`${api}/api/v1/videos/${v.id}`, {
      method: "PATCH",
      headers: { Authorization: `Bearer ${v.owner.token}`, "Content-Type": "application/json" },
      body: JSON.stringify({ category: "bench" }),
    });
    if (res.status !== 200) throw new Error(`edit ${v.id}: ${res.status}`);
  }
  const viewers = await Promise.all(Array.from({ length: VIEWERS }, (_, i) => account(api, 100 + i)));
  for (const [n, viewer] of viewers.entries()) {
    // Six videos of two topics, the way a session stays on a subject.
    const topics = [n % TOPICS.length, (n * 5 + 1) % TOPICS.length];
    const picks = videos.filter((v) => topics.includes(v.topic)).slice(n % 3, (n % 3) + 6);
    for (const v of picks) {
      const res = await fetch(`${api}/api/v1/videos/${v.id}/watch-position`, {
        method: "POST",
        headers: { Authorization: `Bearer ${viewer.token}`, "Content-Type": "application/json" },
        body: JSON.stringify({ position: 30, duration: 600 }),
      });
      if (res.status !== 204) throw new Error(`watch: ${res.status} ${await res.text()}`);
    }
  }
  // Let the queues (video-index, watch-events: batches of up to 5 s) drain; a smoke run's few
  // messages need one batch window and a little (the reasons checked below tell if not).
  await sleep(sized(15_000, 7_000));

  const recs = () => `${api}/api/v1/recommendations?limit=20`;
  const related = (id: string) => `${api}/api/v1/videos/${id}/related?limit=20`;
  const meta = (id: string) => `${api}/api/v1/videos/${id}`;
  const t = {
    base: [] as number[],
    recsCold: [] as number[],
    recsWarm: [] as number[],
    relCold: [] as number[],
    relWarm: [] as number[],
  };

  // Warm-up of the isolate and of the baseline's own cache, not measured.
  for (const v of videos.slice(0, 20)) await timed(meta(v.id));
  for (const viewer of viewers) t.recsCold.push(await timed(recs(), viewer.token));
  const relSample = videos.slice(0, Math.min(VIDEOS, 100));
  for (const v of relSample) t.relCold.push(await timed(related(v.id)));
  for (let round = 0; round < WARM_ROUNDS; round++) {
    for (const [i, viewer] of viewers.entries()) {
      t.recsWarm.push(await timed(recs(), viewer.token));
      t.base.push(await timed(meta(videos[(round * VIEWERS + i) % VIDEOS]!.id), viewer.token));
    }
    for (const [i, v] of relSample.entries()) {
      t.relWarm.push(await timed(related(v.id)));
      if (i % 2 === 0) t.base.push(await timed(meta(v.id)));
    }
  }
  const answer = await fetch(recs(), { headers: { Authorization: `Bearer ${viewers[0]!.token}` } });
  check(answer.status === 200, `recommendations: ${answer.status}`);
  const firstRecs = (await answer.json()) as { items: { reason: { type: string } }[] };
  const reasons = new Map<string, number>();
  for (const item of firstRecs.items) reasons.set(item.reason.type, (reasons.get(item.reason.type) ?? 0) + 1);
  // Only trending for a viewer who watched six videos means their watches or the videos'
  // vectors never arrived (a queue consumer failed): the timings would be of a fallback.
  check(
    [...reasons.keys()].some((r) => r !== "trending"),
    `the first viewer's recommendations have no personal reason (${JSON.stringify(Object.fromEntries(reasons))}): the watch-events or video-index queue did not deliver`,
  );
  const relatedAnswer = await fetch(related(videos[0]!.id));
  check(relatedAnswer.status === 200, `related: ${relatedAnswer.status}`);
  check(((await relatedAnswer.json()) as { items: unknown[] }).items.length, "no related videos for the first video");

  const base95 = pct(t.base, 0.95);
  const line = (name: string, xs: number[]) =>
    `| ${name} | ${xs.length} | ${pct(xs, 0.5).toFixed(1)} | ${pct(xs, 0.95).toFixed(1)} | ${(pct(xs, 0.95) / base95).toFixed(2)}x |`;
  console.log(`\n${VIDEOS} videos, ${VIEWERS} viewers; one request at a time; milliseconds`);
  console.log("| request | n | p50 | p95 | p95 / metadata p95 |");
  console.log("|---|---|---|---|---|");
  console.log(line("GET /api/v1/videos/{id} (baseline)", t.base));
  console.log(line("recommendations, cold (computed)", t.recsCold));
  console.log(line("recommendations, warm (KV)", t.recsWarm));
  console.log(line("related, cold (computed)", t.relCold));
  console.log(line("related, warm (KV)", t.relWarm));
  console.log(`\nfirst viewer's reasons: ${[...reasons].map(([k, v]) => `${k} ${v}`).join(", ")}`);
  const warm = Math.max(pct(t.recsWarm, 0.95), pct(t.relWarm, 0.95)) / base95;
  const verdict = smoke ? "(not judged in a smoke run)" : warm <= 1.5 ? "PASS" : "FAIL";
  console.log(`warm p95 / metadata p95: ${warm.toFixed(2)}x (goal <= 1.5x) ${verdict}`);
  smokeFooter();
  checkFinite({
    "metadata p95": base95,
    "recommendations cold p95": pct(t.recsCold, 0.95),
    "related cold p95": pct(t.relCold, 0.95),
    "warm / metadata": warm,
  });
} finally {
  await stack.stop();
}
