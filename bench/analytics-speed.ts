// `npm run bench:analytics`: how long the studio's figures take on the local analytics store
// (issue 23: studio analytics p95 <= 100 ms for a video with a million events locally).
//
// Writes BENCH_EVENTS (1,000,000; smoke 5,000) player events of one video, in sessions of 5-44
// events (a start, heartbeats, seeks, pauses, an end) spread over 28 days, and as many again
// over 200 other videos, into a store made by the local store's own DDL (`LOCAL_STORE_SQL`, in
// Node's `node:sqlite`: the same SQLite as the local D1, without the runtime around it), then
// folds them into its derived tables (roll-up, hours, days, sessions, sessions by day) with the
// store's backfill (`rebuildRollup`). Then times,
// BENCH_RUNS times (20; smoke 3), what the studio's video answer runs (services/analytics.ts
// `figures`): every template but `topVideos`, through the studio's own runner (`localQuery`),
// over the default 28 days ending mid-hour (so both partial hours are folded from the events).
// Side by side in the same run: the same templates over the events folded at read time
// (`SQLITE_FOLDING`, Analytics Engine's way; at most 3 runs, as each takes half a minute at a
// million events), and a video of 1,000 events in the same table (the floor). Prints p50 and
// p95 of each, and each template's median for the big video.
import { DatabaseSync } from "node:sqlite";
import {
  LOCAL_STORE_SQL,
  LOCAL_TABLE,
  localQuery,
  rebuildRollup,
  SQLITE_FOLDING,
} from "../workers/storage/analytics-local.ts";
import { TEMPLATES, type TemplateName } from "../workers/storage/analytics-query.ts";
import { announceSmoke, check, checkFinite, setting, smokeFooter } from "./mode.ts";
import { sqliteD1 } from "./sqlite-d1.ts";

const EVENTS = setting("BENCH_EVENTS", 1_000_000, 5_000);
const RUNS = setting("BENCH_RUNS", 20, 3);
const GOAL_MS = 100;
announceSmoke();

const db = new DatabaseSync(":memory:");
for (const sql of LOCAL_STORE_SQL) db.exec(sql);
const insert = db.prepare(`INSERT INTO ${LOCAL_TABLE} VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1)`);
const DAY = 86_400_000;
// The studio's default range, asked at 10:37 (its first and last hours partial).
const to = Date.UTC(2026, 11, 6, 10, 37);
const from = to - 28 * DAY;
const TYPES = ["heartbeat", "heartbeat", "heartbeat", "heartbeat", "heartbeat", "heartbeat", "seek", "pause", "end"];

/** `count` events of `videoId` in sessions of 5-44 events, each session at a time of the 28 days. */
function write(videoId: string, count: number, salt: number) {
  let written = 0;
  for (let s = 0; written < count; s++) {
    const length = 5 + ((s * 7 + salt) % 40);
    const start = from + ((s * 7919 + salt * 104_729) % (28 * 86_400)) * 1000;
    for (let i = 0; i < length && written < count; i++, written++) {
      const type = i === 0 ? "start" : (TYPES[(i * 31 + s) % TYPES.length] as string);
      const timestamp = new Date(start + i * 10_000).toISOString().slice(0, 19).replace("T", " ");
      insert.run(
        timestamp,
        videoId,
        type,
        `${videoId}-${s}`,
        ["home", "search", "direct", "related"][s % 4] as string,
        ["US", "DE", "IN", "BR", "ZZ"][s % 5] as string,
        ["desktop", "mobile", "tablet"][s % 3] as string,
        "360p",
        "",
        "benchchannel",
        i * 10,
        type === "seek" ? i * 5 : -1,
        i === 0 ? 300 + (s % 700) : 0,
        type === "heartbeat" && s % 9 === 0 ? 250 : 0,
        600,
        start + i * 10_000,
      );
    }
  }
}

const t0 = performance.now();
db.exec("BEGIN");
write("bigvideo", EVENTS, 1);
write("smallvideo", Math.min(1_000, EVENTS), 2);
// Other videos' events share the table, as they would.
for (let v = 0; v < 200; v++) write(`other${v}`, Math.ceil(EVENTS / 200), 3 + v);
db.exec("COMMIT");
const rows = (db.prepare(`SELECT count(*) AS n FROM ${LOCAL_TABLE}`).get() as { n: number }).n;
console.log(`${rows.toLocaleString("en")} events written in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
const d1 = sqliteD1(db);
const t1 = performance.now();
await rebuildRollup(d1);
const count = (table: string) =>
  (db.prepare(`SELECT count(*) AS n FROM ${table} WHERE index1 = 'bigvideo'`).get() as { n: number }).n.toLocaleString(
    "en",
  );
console.log(
  `folded into the derived tables in ${((performance.now() - t1) / 1000).toFixed(1)} s; the big video is ` +
    `${count("playback_rollup")} roll-up rows, ${count("playback_sessions")} sessions, ${count("playback_hours")} hour rows, ` +
    `${count("playback_days")} day rows, ${count("playback_session_days")} sessions' day counts`,
);

// The studio's own runner over node:sqlite; and the same templates over the events folded at read time.
const runner = localQuery(d1);
const folding = localQuery(d1, SQLITE_FOLDING);
const names = (Object.keys(TEMPLATES) as TemplateName[]).filter((n) => n !== "topVideos");

async function answer(videoId: string, perTemplate?: Map<string, number[]>, by = runner) {
  const params = { videoId, from, to, granularity: "day" as const };
  const start = performance.now();
  for (const name of names) {
    const t = performance.now();
    const result = await by.run(name, params);
    check(Array.isArray(result), `${name} answered no rows`);
    perTemplate?.get(name)?.push(performance.now() - t);
  }
  return performance.now() - start;
}

// Both readers answer the same figures (the derived tables change speed, not answers).
for (const name of names) {
  const params = { videoId: "bigvideo", from, to, granularity: "day" as const };
  const [a, b] = [await runner.run(name, params), await folding.run(name, params)];
  check(JSON.stringify(a) === JSON.stringify(b), `${name}: the local store and the events disagree`);
  check(a.length > 0, `${name}: no figures for the big video`);
}

const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);
const at = (xs: number[], q: number) => sorted(xs)[Math.min(xs.length - 1, Math.ceil(q * xs.length) - 1)] as number;
const big: number[] = [];
const small: number[] = [];
const bigFolding: number[] = [];
const perTemplate = new Map(names.map((n) => [n, [] as number[]]));
const perTemplateFolding = new Map(names.map((n) => [n, [] as number[]]));
await answer("bigvideo");
await answer("smallvideo");
await answer("bigvideo", undefined, folding);
// Alternated, so a noisy moment of the machine falls on both.
for (let i = 0; i < RUNS; i++) {
  big.push(await answer("bigvideo", perTemplate));
  small.push(await answer("smallvideo"));
  if (i < 3) bigFolding.push(await answer("bigvideo", perTemplateFolding, folding));
}
const figures = {
  "big p50": at(big, 0.5),
  "big p95": at(big, 0.95),
  "small p50": at(small, 0.5),
  "small p95": at(small, 0.95),
  "folding p50": at(bigFolding, 0.5),
  "folding p95": at(bigFolding, 0.95),
};
checkFinite(figures);
console.log(`
| video's events (of ${rows.toLocaleString("en")} in the table), 28 days | p50 ms | p95 ms |
|---|---|---|
| ${EVENTS.toLocaleString("en")}, events folded at read time (Analytics Engine's way) | ${figures["folding p50"].toFixed(1)} | ${figures["folding p95"].toFixed(1)} |
| ${EVENTS.toLocaleString("en")}, local store (now) | ${figures["big p50"].toFixed(1)} | ${figures["big p95"].toFixed(1)} |
| ${Math.min(1_000, EVENTS).toLocaleString("en")}, local store (the floor) | ${figures["small p50"].toFixed(1)} | ${figures["small p95"].toFixed(1)} |

| template (${EVENTS.toLocaleString("en")} events) | local store median ms | folded at read time median ms |
|---|---|---|
${names.map((n) => `| ${n} | ${at(perTemplate.get(n) ?? [], 0.5).toFixed(1)} | ${at(perTemplateFolding.get(n) ?? [], 0.5).toFixed(1)} |`).join("\n")}

studio answer p95 at ${EVENTS.toLocaleString("en")} events: ${figures["big p95"].toFixed(0)} ms (goal <= ${GOAL_MS} ms: ${figures["big p95"] <= GOAL_MS ? "met" : "NOT met"}); ${(figures["folding p95"] / figures["big p95"]).toFixed(1)}x faster than folding the events at read time; ${(figures["big p95"] / figures["small p95"]).toFixed(0)}x the floor's`);
smokeFooter();
