#!/usr/bin/env node
// npm run bench:smoke — every benchmark once in smoke mode (BENCH_SMOKE=1: tiny sizes, a few
// seconds of measuring; bench/mode.ts), one after another, so that a benchmark that no longer
// starts or whose measured requests fail fails CI (.ci/run) like a broken test.
//
// The scripts are package.json's `bench:*`, `eval:*` and `sim:*` (not this one; `container:*`
// are not benchmarks of the code and need a Docker engine), found there so that a new one is
// covered without being listed here. `node bench/smoke.mjs bench:room eval:recs` runs only
// those. Each runs as `npm run <name>` (so under the project's Node 22) with a timeout
// (BENCH_SMOKE_TIMEOUT seconds, default 180); its output goes to .bench/smoke/<name>.log and,
// when it fails, its tail here. Plain JavaScript: the machine's own Node (20) starts it.
//
// Benchmarks start servers in process groups of their own (the stack, the bare Worker), which
// outlive a benchmark killed on timeout. So the runner notes every process below the one it
// started while it runs, and afterwards stops, by PID, those still running.
import { spawn } from "node:child_process";
import { createWriteStream, mkdirSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const timeoutSeconds = Number(process.env.BENCH_SMOKE_TIMEOUT ?? 180);
const logDir = path.join(root, ".bench", "smoke");

const scripts = Object.keys(JSON.parse(readFileSync(path.join(root, "package.json"), "utf8")).scripts ?? {}).filter(
  (name) => /^(bench|eval|sim):/.test(name) && name !== "bench:smoke",
);
const wanted = process.argv.slice(2);
const unknown = wanted.filter((name) => !scripts.includes(name));
if (unknown.length) {
  console.error(`bench:smoke: no such benchmark script: ${unknown.join(", ")} (there are: ${scripts.join(", ")})`);
  process.exit(2);
}
const chosen = wanted.length ? wanted : scripts;
if (!chosen.length) {
  console.error("bench:smoke: package.json has no bench:*, eval:* or sim:* script");
  process.exit(2);
}

/** pid -> { ppid, start } of every process now, from /proc (Linux); empty elsewhere. */
function processTable() {
  const table = new Map();
  let entries = [];
  try {
    entries = readdirSync("/proc");
  } catch {
    return table;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      // "pid (comm) state ppid ... starttime": comm may hold spaces and parentheses.
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      table.set(Number(entry), { ppid: Number(fields[1]), start: fields[19] });
    } catch {
      // gone meanwhile
    }
  }
  return table;
}

/** Remembers every process below `rootPid` (pid -> start time, so that a reused PID is never taken for it). */
function trackDescendants(rootPid) {
  const seen = new Map();
  const scan = () => {
    const table = processTable();
    // From the root and from every noted process still running: a server whose parent died is
    // no longer below the root, but what it starts still belongs to this run.
    const below = new Set([
      rootPid,
      ...[...seen].filter(([pid, start]) => table.get(pid)?.start === start).map(([pid]) => pid),
    ]);
    // Parents come before their children in most tables, but not always: repeat until stable.
    for (let grew = true; grew; ) {
      grew = false;
      for (const [pid, { ppid, start }] of table) {
        if (below.has(ppid) && !below.has(pid)) {
          below.add(pid);
          seen.set(pid, start);
          grew = true;
        }
      }
    }
  };
  scan();
  const timer = setInterval(scan, 500);
  return {
    scan,
    stopTracking: () => clearInterval(timer),
    /** The noted processes that still run (the same process: same PID and start time). */
    alive() {
      const table = processTable();
      return [...seen].filter(([pid, start]) => table.get(pid)?.start === start).map(([pid]) => pid);
    },
  };
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** SIGTERM to each, then SIGKILL to whatever still runs 5 s later; answers how many were left. */
async function stopAll(tracker) {
  const left = tracker.alive();
  if (!left.length) return 0;
  for (const pid of left) {
    try {
      process.kill(pid, "SIGTERM");
    } catch {}
  }
  for (let i = 0; i < 50 && tracker.alive().length; i++) await sleep(100);
  for (const pid of tracker.alive()) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {}
  }
  return left.length;
}

let current;
for (const signal of ["SIGINT", "SIGTERM"]) {
  process.on(signal, async () => {
    if (current) {
      current.tracker.scan();
      await stopAll(current.tracker);
    }
    process.exit(130);
  });
}

function run(name) {
  mkdirSync(logDir, { recursive: true });
  const logFile = path.join(logDir, `${name.replace(/[^\w.-]+/g, "-")}.log`);
  const log = createWriteStream(logFile);
  let tail = "";
  const started = performance.now();
  const child = spawn("npm", ["run", name], {
    cwd: root,
    env: { ...process.env, BENCH_SMOKE: "1" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const tracker = trackDescendants(child.pid);
  current = { tracker };
  for (const stream of [child.stdout, child.stderr]) {
    stream.on("data", (chunk) => {
      log.write(chunk);
      tail = (tail + chunk).slice(-16_384);
    });
  }
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    tracker.scan();
    stopAll(tracker);
  }, timeoutSeconds * 1000);
  return new Promise((resolve) => {
    child.on("close", async (code, signal) => {
      clearTimeout(timer);
      const seconds = (performance.now() - started) / 1000;
      tracker.stopTracking();
      // A benchmark stops its servers itself; give them a moment to exit before stopping them.
      for (let i = 0; i < 50 && tracker.alive().length; i++) await sleep(100);
      const leftRunning = await stopAll(tracker);
      current = undefined;
      await new Promise((r) => log.end(r));
      const why = timedOut ? `timed out after ${timeoutSeconds} s` : code !== 0 ? `exit ${code ?? signal}` : "";
      resolve({ name, ok: !why, why, seconds, tail, logFile, leftRunning });
    });
  });
}

console.log(`bench:smoke: ${chosen.length} scripts in smoke mode (BENCH_SMOKE=1), one at a time: ${chosen.join(", ")}`);
const width = Math.max(...chosen.map((n) => n.length));
const results = [];
const began = performance.now();
for (const name of chosen) {
  const r = await run(name);
  results.push(r);
  console.log(
    `${r.ok ? "ok  " : "FAIL"}  ${name.padEnd(width)}  ${r.seconds.toFixed(1).padStart(6)} s${r.why ? `  ${r.why}` : ""}`,
  );
  if (r.leftRunning) console.log(`      (it left ${r.leftRunning} processes running; stopped them)`);
  if (!r.ok) {
    const lines = r.tail.trimEnd().split("\n").slice(-40);
    console.log(
      `      last lines of ${path.relative(root, r.logFile)}:\n${lines.map((l) => `      | ${l}`).join("\n")}`,
    );
  }
}
const failed = results.filter((r) => !r.ok);
const total = (performance.now() - began) / 1000;
console.log(
  `bench:smoke: ${results.length - failed.length} of ${results.length} passed in ${total.toFixed(0)} s${
    failed.length ? `; failed: ${failed.map((r) => r.name).join(", ")}` : ""
  } (smoke figures mean nothing: logs in ${path.relative(root, logDir)}/)`,
);
process.exit(failed.length ? 1 : 0);
