// npm run bench:room — one video's live room under a popular premiere, against a bare room.
//
// Starts the real local stack (scripts/start.mjs) and the bare baseline Worker (bench/bare) in
// the same runtime, then:
//   A. BENCH_WATCHERS sockets (default 2,000) join the video's room with `?batch=1`; offered
//      comment rates step up (BENCH_STEPS, default 25,50,100,150,200 a second, BENCH_STEP_SECONDS
//      each, default 30) from BENCH_POSTERS accounts (default 200) through
//      `POST /api/v1/videos/{id}/comments` (auth, moderation, the live limits: each account may
//      post a burst of 3 then one per 2 s, so 200 accounts top out at 100 a second and the rest
//      is 429). Per step: accepted rate, 429s, every socket's receipt of every accepted comment
//      (by seq: lost = accepted x sockets - receipts), p50/p99 from the POST being sent to its
//      receipt (and to its first receipt on any socket, before the fan-out; and to its answer),
//      frames per socket per second, and the server side's CPU per accepted comment
//      (every process of the stack, or of the bare Worker, read from /proc while the step's posts
//      are sent and answered; BENCH_WATCHERS=20 isolates what a comment POST costs). The bare
//      room (every message a frame to every socket, nothing else) takes the same steps after,
//      with its own sockets (each side alone on the client), up to the first step whose
//      median receipt takes over 5 s.
//   B. The old one-message mode: BENCH_OLD_WATCHERS sockets (default 1,000) without `?batch=1`,
//      one step at BENCH_OLD_RATE (default 20 a second), to show the gain side by side.
// Goals (issue 19): 100 comments/s accepted and delivered to all 2,000 sockets, 0 lost, p99 <=
// 500 ms, <= 5 frames/s per socket. A lost comment at a rate the room accepts fails the run.
// BENCH_DEFLATE=1: the clients offer permessage-deflate, as browsers do (see below).
// BENCH_VIA=direct (the default): posts and sockets (both sides') go to each Worker's own
// runtime, past the proxy Worker `wrangler dev` answers through (it relays every request and
// every frame once more, in a second workerd on the same two cores; production has no such
// hop). BENCH_VIA=proxy: through it, as npm start serves a browser.
// BENCH_BARE=0: the room's steps alone, without the bare room's (for a quicker look).
// BENCH_TIMELINE=1: each step's receipt and answer figures by 5 s of sending, as well.
// BENCH_SMOKE=1: 20 watchers, 10 posters, one 2 s step at 5 / s, old mode with 10 watchers.
import WebSocket from "ws";
import {
  announceSmoke,
  check,
  checkFinite,
  directUrl,
  groupCpuMs,
  register,
  setting,
  sized,
  smokeFooter,
  startStackAndBare,
} from "./lib.ts";

const watcherCount = setting("BENCH_WATCHERS", 2000, 20);
const posterCount = setting("BENCH_POSTERS", 200, 10);
const steps = (process.env.BENCH_STEPS ?? sized("25,50,100,150,200", "5")).split(",").map(Number);
const stepSeconds = setting("BENCH_STEP_SECONDS", 30, 2);
const oldWatchers = setting("BENCH_OLD_WATCHERS", 1000, 10);
const oldRate = setting("BENCH_OLD_RATE", 20, 5);
// Browsers offer permessage-deflate; the deployed Worker declines it (no_web_socket_compression
// in wrangler.toml), but local dev's entry worker, in front of ours, negotiates it anyway, and
// deflating every frame per socket then costs the local runtime more than the room itself. So
// the clients do not offer it (as the deployed Worker would answer), unless BENCH_DEFLATE=1.
const deflate = process.env.BENCH_DEFLATE === "1";
const via = process.env.BENCH_VIA ?? "direct";
// BENCH_BARE=0 leaves the bare room's steps out (a diagnostic run of the room alone).
const withBare = process.env.BENCH_BARE !== "0";
// The bare room stops stepping up after a step whose median receipt took longer than this.
const bareGiveUpMs = 5000;
// BENCH_TIMELINE=1 prints each step's figures by 5 s of sending as well.
const timeline = process.env.BENCH_TIMELINE === "1";
check(via === "proxy" || via === "direct", `BENCH_VIA: ${via} is neither proxy nor direct`);
check(
  steps.every((r) => r > 0),
  `BENCH_STEPS: ${process.env.BENCH_STEPS} is not a list of rates`,
);
announceSmoke();

const KEY = /bench message (\d+)/;
const KEYS = /bench message (\d+)/g;
const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? (s[Math.min(s.length - 1, Math.floor((s.length * p) / 100))] as number) : Number.NaN;
};

/**
 * Sockets of one room, recording when each receives each comment of the step being measured,
 * and every frame. Receipts go into one typed array a step (socket x key, NaN until received):
 * a map entry per receipt (6 million at 100 a second to 2,000 sockets for 30 s, and the earlier
 * steps' kept) made the client's garbage collector pause it, and a pause delays every receipt
 * timed after it, so a later step's tail measured the client, not the room.
 */
class Watchers {
  readonly sockets: WebSocket[] = [];
  frames = 0;
  /** Receipts timed since `expect` (each socket's first of each key). */
  timed = 0;
  private firstKey = 0;
  private count = 0;
  private times = new Float64Array(0);

  static async connect(url: string, count: number): Promise<Watchers> {
    const w = new Watchers();
    for (let i = 0; i < count; i += 50) {
      await Promise.all(
        Array.from({ length: Math.min(50, count - i) }, async () => {
          const socket = new WebSocket(url, { perMessageDeflate: deflate });
          const index = w.sockets.push(socket) - 1;
          socket.on("message", (data) => w.onMessage(index, String(data)));
          await new Promise((resolve, reject) => {
            socket.once("open", resolve);
            socket.once("error", reject);
            // A refused join says why (the problem+json body), not only its status.
            socket.once("unexpected-response", (_, res) => {
              let body = "";
              res.on("data", (chunk: Buffer) => {
                body += chunk;
              });
              res.on("end", () => reject(new Error(`join refused: ${res.statusCode} ${body.slice(0, 500)}`)));
            });
          });
        }),
      );
    }
    return w;
  }

  /** Receipts of keys firstKey .. firstKey + count - 1 are timed from now on (others are counted as frames only). */
  expect(firstKey: number, count: number) {
    this.firstKey = firstKey;
    this.count = count;
    this.times = new Float64Array(this.sockets.length * count).fill(Number.NaN);
    this.timed = 0;
  }

  private onMessage(index: number, text: string) {
    const now = performance.now();
    this.frames++;
    if (!text.includes("bench message")) return;
    // Keys read straight from the text (a comment's content is the only place they occur):
    // parsing every frame as JSON on 2,000 sockets would make the client the bottleneck.
    for (const match of text.matchAll(KEYS)) {
      const offset = Number(match[1]) - this.firstKey;
      if (offset < 0 || offset >= this.count) continue;
      const at = index * this.count + offset;
      if (Number.isNaN(this.times[at])) {
        this.times[at] = now;
        this.timed++;
      }
    }
  }

  /** When socket `index` received comment `key` (performance.now()), if it did. */
  receiptOf(index: number, key: number): number | undefined {
    const offset = key - this.firstKey;
    if (offset < 0 || offset >= this.count) return undefined;
    const t = this.times[index * this.count + offset] as number;
    return Number.isNaN(t) ? undefined : t;
  }

  /** Waits until no frame has arrived for a second (at most 30 s): the last step's traffic is over. */
  async quiet() {
    for (let last = -1, start = Date.now(); last !== this.frames && Date.now() - start < 30_000; ) {
      last = this.frames;
      await new Promise((r) => setTimeout(r, 1000));
    }
  }

  received(keys: number[]) {
    let n = 0;
    for (let i = 0; i < this.sockets.length; i++) for (const k of keys) if (this.receiptOf(i, k) !== undefined) n++;
    return n;
  }

  close() {
    for (const s of this.sockets) s.terminate();
  }
}

interface Sent {
  key: number;
  sentAt: number;
  /** When the POST's answer came (it waits for its tick's D1 batch). */
  answeredAt: number;
  status: number;
}

/** Sends `count` posts at `perSecond`, on schedule whatever the answers' speed. */
async function sendAtRate(count: number, perSecond: number, firstKey: number, post: (key: number) => Promise<number>) {
  const start = performance.now();
  const pending: Promise<Sent>[] = [];
  for (let i = 0; i < count; i++) {
    const due = start + (i * 1000) / perSecond;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const key = firstKey + i;
    const sentAt = performance.now();
    pending.push(
      post(key).then(
        (status) => ({ key, sentAt, answeredAt: performance.now(), status }),
        () => ({ key, sentAt, answeredAt: performance.now(), status: 0 }),
      ),
    );
  }
  return Promise.all(pending);
}

/**
 * One step's figures: what was accepted and refused, what every socket received, how fast, and
 * what the server side's processes spent on it (`cpuMs`: their CPU while the step's posts were
 * sent and answered, spread over the accepted ones).
 */
async function measure(watchers: Watchers, sent: Sent[], seconds: number, framesBefore: number, cpuMs: number) {
  const accepted = sent.filter((s) => s.status === 201);
  const keys = accepted.map((s) => s.key);
  const expected = keys.length * watchers.sockets.length;
  // Only accepted comments reach sockets, so the receipts timed count theirs (a scan of them all
  // every 100 ms would cost the client what it is measuring).
  for (const start = Date.now(); watchers.timed < expected && Date.now() - start < 15_000; ) {
    await new Promise((r) => setTimeout(r, 100));
  }
  // Frames over the time they came in: from the step's first post until its comments are in
  // (longer than the step by the last answers and receipts).
  const frames = watchers.frames - framesBefore;
  const window = (performance.now() - (sent[0]?.sentAt ?? performance.now())) / 1000;
  const { delays, firsts, answers } = latencies(accepted, watchers);
  if (timeline && watchers.sockets.length) printTimeline(accepted, watchers);
  return {
    offered: sent.length / seconds,
    accepted: keys.length / seconds,
    refused429: sent.filter((s) => s.status === 429).length,
    failed: sent.filter((s) => s.status !== 201 && s.status !== 429).length,
    lost: expected - watchers.received(keys),
    p50: pct(delays, 50),
    p99: pct(delays, 99),
    firstP50: pct(firsts, 50),
    firstP99: pct(firsts, 99),
    answerP50: pct(answers, 50),
    framesPerSocketSecond: frames / watchers.sockets.length / window,
    cpuMsPerComment: cpuMs / Math.max(1, keys.length),
  };
}
type Step = Awaited<ReturnType<typeof measure>>;

/**
 * From each comment's POST being sent: every socket's receipt of it, its first receipt on any
 * socket (the server's path and the tick, before the fan-out), and the POST's answer.
 */
function latencies(accepted: Sent[], watchers: Watchers) {
  const delays: number[] = [];
  const firsts: number[] = [];
  for (const s of accepted) {
    let first = Number.POSITIVE_INFINITY;
    for (let i = 0; i < watchers.sockets.length; i++) {
      const t = watchers.receiptOf(i, s.key);
      if (t === undefined) continue;
      delays.push(t - s.sentAt);
      first = Math.min(first, t - s.sentAt);
    }
    if (Number.isFinite(first)) firsts.push(first);
  }
  return { delays, firsts, answers: accepted.map((s) => s.answeredAt - s.sentAt) };
}

/** BENCH_TIMELINE=1: a step's figures by 5 s of its posts' sending, to tell a tail that builds from one that comes and goes. */
function printTimeline(accepted: Sent[], watchers: Watchers) {
  const start = accepted[0]?.sentAt ?? 0;
  const buckets = Map.groupBy(accepted, (s) => Math.floor((s.sentAt - start) / 5000));
  for (const [b, sent] of buckets) {
    const { delays, firsts, answers } = latencies(sent, watchers);
    const p = (xs: number[]) => `p50 ${pct(xs, 50).toFixed(0)} p99 ${pct(xs, 99).toFixed(0)}`;
    console.log(`  ${b * 5}-${b * 5 + 5} s: receipt ${p(delays)}, first socket ${p(firsts)}, answer ${p(answers)} ms`);
  }
}

const { stack, bare } = await startStackAndBare({ RATE_LIMIT_SCALE: "1000", LOG_REQUESTS: "false" });
const rooms: Watchers[] = [];
try {
  const api = via === "direct" ? await directUrl(stack.url, stack.pid, "/api/v1/health") : stack.url;
  const bareApi = via === "direct" ? await directUrl(bare.url, bare.pid, "/json") : bare.url;
  console.log(`posts and sockets go to ${api} (the stack) and ${bareApi} (the bare room), ${via}`);
  // A video to talk about: comments need a visible video, not its media.
  const ownerToken = await register(stack.url);
  const init = await fetch(`${stack.url}/api/v1/videos/upload/initiate`, {
    method: "POST",
    headers: { Authorization: `Bearer ${ownerToken}`, "Content-Type": "application/json" },
    body: JSON.stringify({ filename: "room.mp4", size: 10_000_000, content_type: "video/mp4", title: "Room bench" }),
  });
  check(init.ok, `initiate: ${init.status} ${await init.clone().text()}`);
  const { video_id: videoId } = (await init.json()) as { video_id: string };
  console.log(`registering ${posterCount} posters ...`);
  const posters: string[] = [];
  for (let i = 0; i < posterCount; i += 20) {
    posters.push(
      ...(await Promise.all(Array.from({ length: Math.min(20, posterCount - i) }, () => register(stack.url)))),
    );
  }

  const failures = new Map<string, number>();
  let sample = "";
  const postComment = async (key: number) => {
    const res = await fetch(`${api}/api/v1/videos/${videoId}/comments`, {
      method: "POST",
      headers: { Authorization: `Bearer ${posters[key % posters.length]}`, "Content-Type": "application/json" },
      body: JSON.stringify({ content: `bench message ${key}: what a lovely shot at the end` }),
    });
    const text = await res.text();
    if (res.status === 201 && !sample) sample = text;
    if (res.status !== 201 && res.status !== 429) {
      const k = `${res.status} ${text.slice(0, 120)}`;
      failures.set(k, (failures.get(k) ?? 0) + 1);
    }
    return res.status;
  };
  const postBare = async (key: number) => {
    const body = `{"type":"comment_added","video_id":"${videoId}","comment":${sample.replace(KEY, `bench message ${key}`)},"action":"add","seq":${key}}`;
    const res = await fetch(`${bareApi}/room`, { method: "POST", body });
    await res.arrayBuffer();
    return res.status;
  };
  check((await postComment(0)) === 201, `the first comment failed: ${JSON.stringify(Object.fromEntries(failures))}`);
  check((await postBare(0)) === 201, "the first message to the bare room failed");

  const wsBase = api.replace("http", "ws");
  console.log(`connecting ${watcherCount} batch watchers to the video's room (the bare room's after its steps) ...`);
  // One side at a time: a side's sockets share this client's CPU with the other's, and the bare
  // room's backlog at high rates would otherwise still be arriving during the room's steps.
  const batched = await Watchers.connect(`${wsBase}/api/v1/videos/${videoId}/live?batch=1`, watcherCount);
  rooms.push(batched);
  // Posters' buckets start full: a few seconds of quiet lets every bucket refill between steps.
  const rest = () => new Promise((r) => setTimeout(r, sized(6000, 2500)));

  let key = 1;
  const rows: { side: string; step: Step }[] = [];
  for (const side of withBare ? (["room", "bare"] as const) : (["room"] as const)) {
    if (side === "bare") {
      batched.close();
      rooms.push(await Watchers.connect(`${bareApi.replace("http", "ws")}/room`, watcherCount));
    }
    const watchers = rooms[rooms.length - 1] as Watchers;
    for (const offered of steps) {
      await watchers.quiet();
      const before = watchers.frames;
      const count = Math.round(offered * stepSeconds);
      const group = side === "room" ? stack.pid : bare.pid;
      const cpuBefore = groupCpuMs(group);
      watchers.expect(key, count);
      const sent = await sendAtRate(count, offered, key, side === "room" ? postComment : postBare);
      const cpu = groupCpuMs(group) - cpuBefore;
      key += count;
      const step = await measure(watchers, sent, stepSeconds, before, cpu);
      rows.push({ side, step });
      console.log(
        `${side} at ${offered}/s: ${JSON.stringify(step, (_, v) => (typeof v === "number" ? Math.round(v * 10) / 10 : v))}`,
      );
      if (side === "room") await rest();
      // A bare step whose median receipt took seconds has shown the point: the next ones only
      // queue more (at 50 a second its POSTs were answered after two minutes).
      else if (step.p50 > bareGiveUpMs) {
        console.log(`bare: stops here (receipt p50 over ${bareGiveUpMs} ms)`);
        break;
      }
    }
  }

  // B. The old mode: one message a frame, side by side at one rate.
  console.log(`connecting ${oldWatchers} one-message watchers ...`);
  for (const w of rooms) w.close();
  const old = await Watchers.connect(`${wsBase}/api/v1/videos/${videoId}/live`, oldWatchers);
  const newer = await Watchers.connect(`${wsBase}/api/v1/videos/${videoId}/live?batch=1`, oldWatchers);
  rooms.push(old, newer);
  await rest();
  const [oldBefore, newBefore] = [old.frames, newer.frames];
  const oldCpu = groupCpuMs(stack.pid);
  const oldCount = Math.round(oldRate * stepSeconds);
  old.expect(key, oldCount);
  newer.expect(key, oldCount);
  const oldSent = await sendAtRate(oldCount, oldRate, key, postComment);
  const cpu = groupCpuMs(stack.pid) - oldCpu;
  const oldStep = await measure(old, oldSent, stepSeconds, oldBefore, cpu);
  const newStep = await measure(newer, oldSent, stepSeconds, newBefore, cpu);

  // What ticks cost inside the room (the hub logs a summary every 100 ticks).
  const ticks = stack
    .output()
    .split("\n")
    .flatMap((line) => {
      const json = line.slice(line.indexOf("{"));
      if (!json.includes('"room ticks"')) return [];
      try {
        return [JSON.parse(json) as Record<string, number>];
      } catch {
        return [];
      }
    });
  const f = (n: number) => (Number.isFinite(n) ? n.toFixed(n < 10 ? 1 : 0) : "-");
  const table = rows
    .map(
      ({ side, step: s }) =>
        `| ${side} | ${f(s.offered)} | ${f(s.accepted)} | ${s.refused429} | ${s.failed} | ${s.lost} | ${f(s.p50)} | ${f(s.p99)} | ${f(s.firstP50)} / ${f(s.firstP99)} | ${f(s.answerP50)} | ${f(s.framesPerSocketSecond)} | ${f(s.cpuMsPerComment)} |`,
    )
    .join("\n");
  const steady = rows.filter(
    (r) =>
      r.side === "room" &&
      r.step.failed === 0 &&
      r.step.lost === 0 &&
      r.step.p99 <= 500 &&
      r.step.framesPerSocketSecond <= 5,
  );
  const best = Math.max(0, ...steady.map((r) => r.step.accepted));
  console.log(`
A. ${watcherCount} sockets with ?batch=1 on one video, ${posterCount} posters, ${stepSeconds} s a step; the bare room takes the same steps:

| room | offered / s | accepted / s | 429s | other failures | lost | POST to receipt p50 ms | p99 ms | first socket's receipt p50 / p99 ms | POST answered p50 ms | frames / socket / s | server CPU ms / comment |
|---|---|---|---|---|---|---|---|---|---|---|---|
${table}

Highest accepted rate delivered to every socket with none lost, p99 <= 500 ms and <= 5 frames/s: ${f(best)} / s (goal: 100)

B. ${oldWatchers} sockets at ${oldRate} comments / s, old one-message mode beside batch mode (the same comments):

| mode | accepted / s | lost | p50 ms | p99 ms | frames / socket / s |
|---|---|---|---|---|---|
| one message a frame | ${f(oldStep.accepted)} | ${oldStep.lost} | ${f(oldStep.p50)} | ${f(oldStep.p99)} | ${f(oldStep.framesPerSocketSecond)} |
| ?batch=1 | ${f(newStep.accepted)} | ${newStep.lost} | ${f(newStep.p50)} | ${f(newStep.p99)} | ${f(newStep.framesPerSocketSecond)} |

Tick costs (wall time in the local workerd; the hub's summaries of 100 ticks each, last ${Math.min(6, ticks.length)}):

| events / tick | hub tick p50 ms | p95 ms | relay deliver p50 ms | p95 ms | relays |
|---|---|---|---|---|---|
${ticks
  .slice(-6)
  .map(
    (t) =>
      `| ${t.events_per_tick} | ${t.hub_ms_p50} | ${t.hub_ms_p95} | ${t.relay_ms_p50} | ${t.relay_ms_p95} | ${t.relays} |`,
  )
  .join("\n")}
${failures.size ? `\nFailed POSTs: ${JSON.stringify(Object.fromEntries(failures))}` : ""}`);
  smokeFooter();
  // A comment the room accepted and a socket never received is a defect, not a figure.
  for (const { side, step } of rows.filter((r) => r.side === "room")) {
    check(step.lost === 0, `${side}: ${step.lost} accepted comments never reached their sockets`);
    check(step.failed === 0, `${side}: ${step.failed} POSTs failed other than 429`);
    checkFinite({ p99: step.p99, accepted: step.accepted });
  }
  check(oldStep.lost === 0 && newStep.lost === 0, "the old-mode step lost comments");
} catch (err) {
  // What the stack said last, so that a failure is found in its log, not only in the client's.
  console.error(`the stack's last log lines:\n${stack.output().slice(-3000)}`);
  throw err;
} finally {
  for (const w of rooms) w.close();
  await bare.stop();
  await stack.stop();
}
