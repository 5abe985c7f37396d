// npm run bench:startup — what a new isolate of the Worker costs before its first request: the
// bundle's size (what Cloudflare uploads and every isolate compiles) and the CPU time of its
// startup, beside the bare baseline Worker's (bench/bare: the floor, a few ms or less) and, side
// by side in the same run, other checkouts of the project (below): the ratios are against those.
//
// Each bundle is built once as `wrangler deploy --dry-run` builds it (the project's
// wrangler.toml, `--outfile`); then BENCH_ROUNDS rounds (default 15) alternate `wrangler check
// startup --worker <bundle>` over them: a workerd loads the bundle and profiles the isolate's
// startup (compiling the script and running its top level). A round's figure is the profile's
// active time, every sample but the idle ones, garbage collection included, as wrangler's own
// "Active" line counts it. Samples are about 2 ms apart (a bare Worker's startup may fall
// between two and measure 0), so the medians of many rounds are the figures. Locally measured; on Cloudflare the CPU differs (wrangler says so too), not what is
// compiled.
//
// Arguments: other checkouts of the project (a worktree of an earlier commit, with its
// node_modules) to measure side by side with this one, e.g. `npm run bench:startup --
// /tmp/before`. BENCH_SMOKE=1: one round.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { announceSmoke, check, checkFinite, median, setting, smokeFooter } from "./lib.ts";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const rounds = setting("BENCH_ROUNDS", 15, 1);
announceSmoke();

interface Subject {
  label: string;
  /** The directory wrangler runs in, and its configuration there. */
  cwd: string;
  config: string;
  bundle: string;
  kib: number;
  gzipKib: number;
  active: number[];
}

const work = mkdtempSync(path.join(tmpdir(), "bench-startup-"));
const wrangler = (cwd: string) => path.join(cwd, "node_modules", ".bin", "wrangler");

function run(cwd: string, args: string[]): string {
  const out = spawnSync(wrangler(cwd), args, { cwd, encoding: "utf8", env: { ...process.env, CI: "1" } });
  const text = `${out.stdout ?? ""}${out.stderr ?? ""}`;
  check(out.status === 0, `wrangler ${args.join(" ")} in ${cwd} failed (${out.status}):\n${text.slice(-2000)}`);
  return text;
}

/** Builds a bundle as `wrangler deploy` would and reads its sizes from wrangler's report. */
function build(label: string, cwd: string, config: string): Subject {
  const bundle = path.join(work, `${label.replace(/\W+/g, "-")}.bundle`);
  const text = run(cwd, ["deploy", "--dry-run", "--containers-rollout=none", "-c", config, "--outfile", bundle]);
  const sizes = /Total Upload: ([\d.]+) KiB \/ gzip: ([\d.]+) KiB/.exec(text);
  check(sizes, `wrangler reported no bundle size for ${label}:\n${text.slice(-1000)}`);
  return { label, cwd, config, bundle, kib: Number(sizes[1]), gzipKib: Number(sizes[2]), active: [] };
}

interface Profile {
  nodes: { id: number; callFrame: { functionName: string } }[];
  samples: number[];
  timeDeltas: number[];
}

/** One startup of `s`'s bundle: the profile's active milliseconds. */
function startOnce(s: Subject, round: number): number {
  const out = path.join(work, `${path.basename(s.bundle)}.${round}.cpuprofile`);
  run(s.cwd, ["check", "startup", "-c", s.config, "--worker", s.bundle, "--outfile", out]);
  const profile = JSON.parse(readFileSync(out, "utf8")) as Profile;
  const idle = new Set(profile.nodes.filter((n) => n.callFrame.functionName === "(idle)").map((n) => n.id));
  let micros = 0;
  profile.samples.forEach((id, i) => {
    if (!idle.has(id)) micros += profile.timeDeltas[i] ?? 0;
  });
  check(profile.samples.length > 0, `an empty startup profile for ${s.label}`);
  return micros / 1000;
}

try {
  const others = process.argv.slice(2).map((dir) => path.resolve(dir));
  const subjects = [
    build("platform", root, path.join(root, "wrangler.toml")),
    ...others.map((dir) => build(`platform at ${dir}`, dir, path.join(dir, "wrangler.toml"))),
    build("bare Worker", root, path.join(root, "bench", "bare", "wrangler.toml")),
  ];
  for (let round = 0; round < rounds; round++) {
    // Alternated, and in a rotating order, so that a slow minute of a shared machine falls on every subject.
    const order = subjects.map((_, i) => subjects[(i + round) % subjects.length]!);
    for (const s of order) s.active.push(startOnce(s, round));
  }
  console.log(`\nWorker startup, ${rounds} rounds (active CPU ms of each isolate's startup, medians)\n`);
  console.log(
    `${"bundle".padEnd(34)} ${"KiB".padStart(8)} ${"gzip KiB".padStart(9)} ${"startup ms".padStart(11)} ${"min".padStart(6)} ${"max".padStart(6)}`,
  );
  for (const s of subjects) {
    const ms = median(s.active);
    checkFinite({ kib: s.kib, gzipKib: s.gzipKib, ms });
    console.log(
      `${s.label.slice(0, 34).padEnd(34)} ${s.kib.toFixed(0).padStart(8)} ${s.gzipKib.toFixed(0).padStart(9)} ${ms.toFixed(1).padStart(11)} ${Math.min(
        ...s.active,
      )
        .toFixed(1)
        .padStart(6)} ${Math.max(...s.active)
        .toFixed(1)
        .padStart(6)}`,
    );
  }
  for (const s of subjects.slice(1, -1)) {
    const [now, then] = [median(subjects[0]!.active), median(s.active)];
    console.log(
      `\nthis checkout / ${s.label}: bundle ${(subjects[0]!.kib / s.kib).toFixed(2)}, gzip ${(subjects[0]!.gzipKib / s.gzipKib).toFixed(2)}, startup ${(now / then).toFixed(2)}`,
    );
  }
  smokeFooter();
} finally {
  rmSync(work, { recursive: true, force: true });
}
