// npm run bench:room — one video's live room under many watchers, against a bare room.
//
// Starts the real local stack (scripts/start.mjs) and the bare baseline Worker (bench/bare)
// in the same runtime. Connects BENCH_WATCHERS WebSockets (default 1,000) to one video's room
// (`GET /api/v1/videos/{id}/live`) and as many to the bare room, then, alternating rounds:
//   - posts BENCH_COMMENTS comments (default 200) at BENCH_RATE per second (default 10)
//     through `POST /api/v1/videos/{id}/comments` (auth, rate limit, moderation, D1 write,
//     broadcast), and the same number of equally sized messages to the bare room (broadcast
//     only);
//   - records, for every socket and message, the delay from the POST being sent and from its
//     answer to the socket's receipt, and counts messages lost.
// Then a ramp of offered comment rates finds the highest steady rate one room accepts (every
// POST answered 201, at least 95% of the offered rate achieved).
// A failed POST or a lost message in the rounds (not the ramp, which looks for the limit)
// fails the run. BENCH_SMOKE=1: 20 watchers, 10 comments, one round, a ramp of 5 and 10 / s.
import WebSocket from "ws";
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

const watcherCount = setting("BENCH_WATCHERS", 1000, 20);
const commentCount = setting("BENCH_COMMENTS", 200, 10);
const rate = setting("BENCH_RATE", 10, 10);
const rounds = setting("BENCH_ROUNDS", 2, 1);
const ramp = (process.env.BENCH_RAMP ?? sized("5,10,15,20,25,50,100,200", "5,10")).split(",").map(Number);
const rampSeconds = setting("BENCH_RAMP_SECONDS", 4, 1);
check(
  ramp.every((r) => r > 0),
  `BENCH_RAMP: ${process.env.BENCH_RAMP} is not a list of rates`,
);
announceSmoke();

/** Receipt times per message number, for every socket of one room. */
class Watchers {
  readonly sockets: WebSocket[] = [];
  /** message number -> receipt times (ms, performance.now()) */
  receipts = new Map<number, number[]>();

  static async connect(url: string, count: number): Promise<Watchers> {
    const w = new Watchers();
    for (let i = 0; i < count; i += 50) {
      await Promise.all(
        Array.from({ length: Math.min(50, count - i) }, async () => {
          const socket = new WebSocket(url);
          socket.on("message", (data) => w.onMessage(String(data)));
          await new Promise((resolve, reject) => {
            socket.once("open", resolve);
            socket.once("error", reject);
          });
          w.sockets.push(socket);
        }),
      );
    }
    return w;
  }

  private onMessage(text: string) {
    const now = performance.now();
    // Only comment messages count; counters and the like pass by unparsed.
    if (!text.startsWith('{"type":"comment_added"')) return;
    const n = /bench message (\d+)/.exec(text);
    if (!n) return;
    const key = Number(n[1]);
    const list = this.receipts.get(key);
    if (list) list.push(now);
    else this.receipts.set(key, [now]);
  }

  received(keys: number[]) {
    return keys.reduce((sum, k) => sum + (this.receipts.get(k)?.length ?? 0), 0);
  }

  close() {
    for (const s of this.sockets) s.terminate();
  }
}

interface Sent {
  key: number;
  sentAt: number;
  answeredAt: number;
  ok: boolean;
}

/** Sends `count` messages at `perSecond`, on schedule whatever the answers' speed. */
async function sendAtRate(
  count: number,
  perSecond: number,
  firstKey: number,
  post: (key: number) => Promise<boolean>,
): Promise<Sent[]> {
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
        (ok) => ({ key, sentAt, answeredAt: performance.now(), ok }),
        () => ({ key, sentAt, answeredAt: performance.now(), ok: false }),
      ),
    );
  }
  return Promise.all(pending);
}

async function drain(watchers: Watchers, sent: Sent[], timeoutMs = 15_000) {
  const keys = sent.filter((s) => s.ok).map((s) => s.key);
  const expected = keys.length * watchers.sockets.length;
  for (const start = Date.now(); watchers.received(keys) < expected && Date.now() - start < timeoutMs; ) {
    await new Promise((r) => setTimeout(r, 50));
  }
  const fromSend: number[] = [];
  const fromAnswer: number[] = [];
  for (const s of sent) {
    for (const t of watchers.receipts.get(s.key) ?? []) {
      fromSend.push(t - s.sentAt);
      fromAnswer.push(Math.max(0, t - s.answeredAt));
    }
  }
  fromSend.sort((a, b) => a - b);
  fromAnswer.sort((a, b) => a - b);
  const pct = (xs: number[], p: number) =>
    xs.length ? xs[Math.min(xs.length - 1, Math.floor((xs.length * p) / 100))]! : NaN;
  const first = Math.min(...sent.map((s) => s.sentAt));
  const last = Math.max(...sent.map((s) => s.answeredAt));
  return {
    accepted: keys.length,
    failed: sent.length - keys.length,
    lost: expected - watchers.received(keys),
    sendP50: pct(fromSend, 50),
    sendP99: pct(fromSend, 99),
    answerP50: pct(fromAnswer, 50),
    answerP99: pct(fromAnswer, 99),
    achievedRate: keys.length / ((last - first) / 1000),
  };
}
type Outcome = Awaited<ReturnType<typeof drain>>;

// BENCH_QUIET=1: no request log lines (under wrangler dev each crosses its Node process,
// which costs the shared CPU more than the request; the bare room logs nothing either).
const { stack, bare } = await startStackAndBare({
  RATE_LIMIT_SCALE: "1000",
  ...(process.env.BENCH_QUIET ? { LOG_REQUESTS: "false" } : {}),
});
let ours: Watchers | undefined;
let theirs: Watchers | undefined;
try {
  // A video to talk about: comments need a visible video, not its media.
  const ownerToken = await register(stack.url);
  const init = await fetch(`${stack.url}/api/v1/videos/upload/initiate`, {
    method: "POST",
    headers: { Authorization: `Bearer ${ownerToken}`, "Content-Type": "application/json" },
    body: JSON.stringify({ filename: "room.mp4", size: 10_000_000, content_type: "video/mp4", title: "Room bench" }),
  });
  if (!init.ok) throw new Error(`initiate: ${init.status} ${await init.text()}`);
  const { video_id: videoId } = (await init.json()) as { video_id: string };
  const posters = await Promise.all(Array.from({ length: 20 }, () => register(stack.url)));

  console.log(`connecting ${watcherCount} watchers to each room ...`);
  ours = await Watchers.connect(`${stack.url.replace("http", "ws")}/api/v1/videos/${videoId}/live`, watcherCount);
  theirs = await Watchers.connect(`${bare.url.replace("http", "ws")}/room`, watcherCount);

  // The same size of message on both sides: a stored comment as the room announces it.
  let sample = "";
  const failures = new Map<string, number>();
  const postComment = async (key: number) => {
    const res = await fetch(`${stack.url}/api/v1/videos/${videoId}/comments`, {
      method: "POST",
      headers: { Authorization: `Bearer ${posters[key % posters.length]}`, "Content-Type": "application/json" },
      body: JSON.stringify({ content: `bench message ${key}: what a lovely shot at the end` }),
    });
    const text = await res.text();
    if (res.status === 201 && !sample) sample = text;
    if (res.status !== 201)
      failures.set(
        `${res.status} ${text.slice(0, 120)}`,
        (failures.get(`${res.status} ${text.slice(0, 120)}`) ?? 0) + 1,
      );
    return res.status === 201;
  };
  const postBare = async (key: number) => {
    const body = `{"type":"comment_added","video_id":"${videoId}","comment":${sample.replace(/bench message \d+/, `bench message ${key}`)},"action":"add"}`;
    const res = await fetch(`${bare.url}/room`, { method: "POST", body });
    await res.arrayBuffer();
    return res.status === 201;
  };
  // Warm-up, and the sample for the bare side (without it the bare room would send other bytes).
  check(await postComment(0), `the first comment failed: ${JSON.stringify(Object.fromEntries(failures))}`);
  check(await postBare(0), "the first message to the bare room failed");

  let key = 1;
  const results: { ours: Outcome[]; bare: Outcome[] } = { ours: [], bare: [] };
  for (let round = 1; round <= rounds; round++) {
    for (const side of ["ours", "bare"] as const) {
      const sent = await sendAtRate(commentCount, rate, key, side === "ours" ? postComment : postBare);
      key += commentCount;
      const r = await drain(side === "ours" ? ours : theirs, sent);
      results[side].push(r);
      console.log(
        `round ${round} ${side}: ${JSON.stringify(r, (_, v) => (typeof v === "number" ? Math.round(v * 10) / 10 : v))}`,
      );
    }
  }

  const rampRows: string[] = [];
  for (const side of ["ours", "bare"] as const) {
    let best = 0;
    for (const offered of ramp) {
      const sent = await sendAtRate(offered * rampSeconds, offered, key, side === "ours" ? postComment : postBare);
      key += offered * rampSeconds;
      const r = await drain(side === "ours" ? ours : theirs, sent);
      const steady = r.failed === 0 && r.achievedRate >= 0.95 * offered;
      if (steady) best = offered;
      rampRows.push(
        `| ${side} | ${offered} | ${r.achievedRate.toFixed(0)} | ${r.failed} | ${r.lost} | ${r.sendP99.toFixed(0)} | ${steady ? "yes" : "no"} |`,
      );
      console.log(rampRows.at(-1));
      if (!steady) break;
    }
    rampRows.push(`| ${side} | highest steady | ${best} / s | | | | |`);
  }

  const m = (side: "ours" | "bare", k: keyof Outcome) => median(results[side].map((r) => r[k]));
  const row = (side: "ours" | "bare", label: string) =>
    `| ${label} | ${m(side, "answerP50").toFixed(0)} | ${m(side, "answerP99").toFixed(0)} | ${m(side, "sendP50").toFixed(0)} | ${m(side, "sendP99").toFixed(0)} | ${results[side].reduce((s, r) => s + r.lost, 0)} | ${results[side].reduce((s, r) => s + r.failed, 0)} |`;
  console.log(`
${watcherCount} watchers, ${commentCount} messages at ${rate}/s, ${rounds} alternating rounds (medians):

| room | after answer p50 ms | after answer p99 ms | after send p50 ms | after send p99 ms | lost | failed POSTs |
|---|---|---|---|---|---|---|
${row("ours", "video room (POST /comments)")}
${row("bare", "bare room (POST, broadcast only)")}

after-send p99, ours / bare: ${(m("ours", "sendP99") / Math.max(1, m("bare", "sendP99"))).toFixed(2)} (goal: ours <= 250 ms after the answer, none lost)

Ramp (${rampSeconds} s per step, ${watcherCount} watchers):

| room | offered / s | achieved / s | failed | lost | after send p99 ms | steady |
|---|---|---|---|---|---|---|
${rampRows.join("\n")}
${failures.size ? `\nFailed POSTs: ${JSON.stringify(Object.fromEntries(failures))}` : ""}`);
  smokeFooter();
  // The rounds run at a rate both rooms take: a failed POST or a lost message there is a
  // defect, not a figure (the ramp may fail: it looks for the limit).
  for (const side of ["ours", "bare"] as const) {
    const failed = results[side].reduce((s, r) => s + r.failed, 0);
    const lost = results[side].reduce((s, r) => s + r.lost, 0);
    check(!failed && !lost, `${side}: ${failed} failed POSTs and ${lost} lost messages in the rounds`);
    checkFinite({ [`${side} after send p99`]: m(side, "sendP99"), [`${side} after answer p99`]: m(side, "answerP99") });
  }
} finally {
  ours?.close();
  theirs?.close();
  await bare.stop();
  await stack.stop();
}
