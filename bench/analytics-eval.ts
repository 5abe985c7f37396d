// `npm run eval:analytics`: how close the studio's retention curve comes to the truth (issue 23:
// every bucket within 2 percentage points of the exact curve on 100,000 simulated sessions).
//
// Simulates viewing sessions of videos from 30 s to 20 min with realistic behaviour: bounces in
// the first seconds, drop-off through the video, some watching to the end, skips ahead, seeks
// back to rewatch, pauses, sessions that never start (the first frame never came), and the
// heartbeat timer's phase (it ticks every 10 s from page load, not from the first frame).
// Each session's events are what the watch page's beacons (web/client/beacons.ts) send: start,
// a heartbeat every 10 s while playing, seek, pause, end, and, when the page goes away while
// playing (pagehide), a pause at the position it left. A share of sessions die without
// pagehide (a crash, a killed tab, a lost network): their last heartbeat is all there is.
// The events go, as the local store's rows (the same columns as Analytics Engine's, `toDataPoint`),
// into an SQLite store made by the store's own DDL, folded into its roll-up by the store's
// backfill; the studio's own runner (`localQuery`) runs the `reach` template on it and
// `retention()` makes the curve. The exact curve comes from each
// session's true furthest played position. Reported per video: the largest gap over the 100
// buckets, in percentage points; the same with no pagehide position (every leave heartbeat-
// grained), to show what that event buys.
//
// EVAL_SESSIONS (default 100,000; smoke 2,000), EVAL_SEED, EVAL_CRASH_SHARE (0.05: the share of sessions
// whose page never says it is hidden or gone, so their last heartbeat is all there is).
import { DatabaseSync } from "node:sqlite";
import { type PlaybackEvent, toDataPoint } from "../workers/storage/analytics.ts";
import { LOCAL_STORE_SQL, LOCAL_TABLE, localQuery, rebuildRollup } from "../workers/storage/analytics-local.ts";
import { retention } from "../workers/storage/analytics-query.ts";
import { announceSmoke, check, checkFinite, setting, smokeFooter } from "./mode.ts";
import { sqliteD1 } from "./sqlite-d1.ts";

const SESSIONS = setting("EVAL_SESSIONS", 100_000, 2_000);
const SEED = setting("EVAL_SEED", 7, 7);
const CRASH_SHARE = setting("EVAL_CRASH_SHARE", 0.05, 0.05);
const GOAL_PP = 2;
const HEARTBEAT_S = 10;
const DURATIONS = [30, 60, 120, 300, 600, 1200];

announceSmoke();

// mulberry32: a seeded generator, so a run can be repeated.
let state = SEED >>> 0;
function random() {
  state = (state + 0x6d2b79f5) >>> 0;
  let t = state;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const between = (a: number, b: number) => a + (b - a) * random();
const exponential = (mean: number) => -mean * Math.log(1 - random());

interface Simulated {
  /** Positions of the events as sent, in order. */
  events: { type: PlaybackEvent["type"]; position: number; from?: number }[];
  /** The furthest position played (seconds), or undefined when the session never started. */
  truth: number | undefined;
}

/**
 * One session of a video of `duration` seconds: how long it plays (wall-clock seconds), where
 * it seeks and pauses, and whether the page says goodbye; then the walk through it.
 */
function simulate(duration: number, pagehide: boolean): Simulated {
  if (random() < 0.04) return { events: [], truth: undefined };
  const r = random();
  const budget =
    r < 0.2
      ? between(0.5, 0.1 * duration) // a bounce
      : r < 0.75
        ? exponential(0.4 * duration) // drop-off through the video
        : 2 * duration; // to the end
  const seekAt = random() < 0.25 ? between(0, budget) : undefined;
  const ahead = random() < 0.6;
  const pauseAt = random() < 0.2 ? between(0, budget) : undefined;
  const phase = between(0, HEARTBEAT_S);
  const events: Simulated["events"] = [{ type: "start", position: 0 }];
  let played = 0;
  let pos = 0;
  let furthest = 0;
  let nextBeat = phase;
  let seekDone = seekAt === undefined;
  let pauseDone = pauseAt === undefined;
  for (;;) {
    const toEnd = played + (duration - pos);
    const next = Math.min(
      nextBeat,
      seekDone ? Infinity : (seekAt as number),
      pauseDone ? Infinity : (pauseAt as number),
      toEnd,
      budget,
    );
    pos += next - played;
    played = next;
    furthest = Math.max(furthest, pos);
    if (next === toEnd) {
      events.push({ type: "end", position: duration });
      return { events, truth: duration };
    }
    if (next === budget) {
      // The page goes away while playing: a pause at that position, unless it died first.
      if (pagehide) events.push({ type: "pause", position: pos });
      return { events, truth: furthest };
    }
    if (next === nextBeat) {
      events.push({ type: "heartbeat", position: pos });
      nextBeat += HEARTBEAT_S;
    } else if (!seekDone && next === seekAt) {
      seekDone = true;
      const to = ahead
        ? Math.min(duration - 1, pos + between(0.1, 0.3) * duration)
        : Math.max(0, pos - between(0.05, 0.2) * duration);
      events.push({ type: "seek", position: to, from: pos });
      pos = to;
    } else if (!pauseDone && next === pauseAt) {
      pauseDone = true;
      events.push({ type: "pause", position: pos });
    }
  }
}

/** The share of started sessions whose furthest point is at least i percent (i = 0..99), as `retention()` defines it. */
function exactCurve(truths: readonly number[], duration: number): number[] {
  const pcts = truths.map((t) => Math.min(100, Math.floor((100 * t) / duration)));
  return Array.from({ length: 100 }, (_, i) => pcts.filter((p) => p >= i).length / pcts.length);
}

const db = new DatabaseSync(":memory:");
for (const sql of LOCAL_STORE_SQL) db.exec(sql);
const insert = db.prepare(
  `INSERT INTO ${LOCAL_TABLE} (timestamp, index1, ${[1, 2, 3, 4, 5, 6, 7, 8].map((i) => `blob${i}`).join(", ")},
     ${[1, 2, 3, 4, 5, 6].map((i) => `double${i}`).join(", ")}, _sample_interval)
   VALUES (${Array.from({ length: 16 }, () => "?").join(", ")}, 1)`,
);
// The studio's own runner over node:sqlite, reading the roll-up that the store's backfill folds.
const d1 = sqliteD1(db);
const runner = localQuery(d1);

const DAY = "2026-12-01 12:00:00";
const FROM = Date.UTC(2026, 11, 1);
const TO = Date.UTC(2026, 11, 2);

const rows: { video: string; duration: number; sessions: number; gap: number; gapWithout: number }[] = [];
const perVideo = Math.ceil(SESSIONS / (DURATIONS.length * 2));
let written = 0;
const t0 = performance.now();
const simulated: {
  k: number;
  duration: number;
  curves: Record<"with" | "without", { video: string; truths: number[] }>;
}[] = [];
for (const [k, duration] of [...DURATIONS, ...DURATIONS].entries()) {
  const curves: Record<"with" | "without", { video: string; truths: number[] }> = {
    with: { video: `eval${k}p`, truths: [] },
    without: { video: `eval${k}n`, truths: [] },
  };
  db.exec("BEGIN");
  for (let n = 0; n < perVideo; n++) {
    // The same session twice: as the beacons send it, and without the pagehide position at all.
    const saved = state;
    const crashed = random() < CRASH_SHARE;
    for (const mode of ["with", "without"] as const) {
      state = saved;
      random();
      const s = simulate(duration, mode === "with" && !crashed);
      if (s.truth !== undefined) curves[mode].truths.push(s.truth);
      for (const e of s.events) {
        const point = toDataPoint({
          videoId: curves[mode].video,
          channelId: "evalchannel",
          sessionId: `s${k}-${n}`,
          type: e.type,
          source: "direct",
          region: "ZZ",
          device: "desktop",
          rendition: null,
          errorCode: null,
          position: e.position,
          from: e.from ?? null,
          startupMs: null,
          rebufferMs: null,
          duration,
          at: FROM,
        });
        insert.run(DAY, ...point.indexes, ...point.blobs, ...point.doubles);
        written++;
      }
    }
  }
  db.exec("COMMIT");
  simulated.push({ k, duration, curves });
}
await rebuildRollup(d1);
for (const { k, duration, curves } of simulated) {
  const gaps: Record<"with" | "without", number> = { with: 0, without: 0 };
  for (const mode of ["with", "without"] as const) {
    const { video, truths } = curves[mode];
    const measured = retention(await runner.run("reach", { videoId: video, from: FROM, to: TO, granularity: "day" }));
    const exact = exactCurve(truths, duration);
    check(measured.length === 100, `retention has ${measured.length} buckets`);
    gaps[mode] = 100 * Math.max(...exact.map((e, i) => Math.abs(e - (measured[i] ?? 0))));
  }
  rows.push({
    video: `${duration} s (${k < DURATIONS.length ? "a" : "b"})`,
    duration,
    sessions: curves.with.truths.length,
    gap: gaps.with,
    gapWithout: gaps.without,
  });
}
const seconds = (performance.now() - t0) / 1000;

console.log(
  `\n${(perVideo * rows.length).toLocaleString("en")} sessions (${rows.reduce((a, r) => a + r.sessions, 0).toLocaleString("en")} started) over ${rows.length} videos, ` +
    `${written.toLocaleString("en")} events, ${Math.round(CRASH_SHARE * 100)}% of sessions ending without a hide or pagehide; ${seconds.toFixed(1)} s\n`,
);
console.log(
  "| video | started sessions | largest gap, as the beacons send (pp) | without the position on leaving (pp) |",
);
console.log("|---|---|---|---|");
for (const r of rows) {
  console.log(`| ${r.video} | ${r.sessions.toLocaleString("en")} | ${r.gap.toFixed(2)} | ${r.gapWithout.toFixed(2)} |`);
}
const worst = Math.max(...rows.map((r) => r.gap));
const worstWithout = Math.max(...rows.map((r) => r.gapWithout));
console.log(
  `\ngoal: every retention bucket within ${GOAL_PP} pp of the exact curve; largest gap ${worst.toFixed(2)} pp ` +
    `(${worst <= GOAL_PP ? "met" : "NOT met"}); without the position on leaving ${worstWithout.toFixed(2)} pp`,
);
checkFinite({ worst, worstWithout });
smokeFooter();
