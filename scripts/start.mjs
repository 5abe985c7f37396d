#!/usr/bin/env node
// `npm start`: the whole platform on this machine, on embedded defaults.
//   1. writes .dev.vars with random secrets on first run (never committed);
//   2. applies the D1 migrations to the local database;
//   3. starts the API (wrangler dev, with local D1, R2, KV, Queues and Durable Objects) and
//      the transcoder (a Node process standing in for the Container), unless TRANSCODER_URL
//      names one already running (the built image: npm run container:test);
//   4. prints the URL once both answer; Ctrl-C stops everything.
// Settings (environment): PORT (8787), TRANSCODER_PORT (8788), TRANSCODER_URL (unset),
// PERSIST_DIR (.wrangler/state), and WRANGLER_VARS ("KEY=value,KEY=value") passed to the Worker.
import { spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const bin = (name) => path.join(root, "node_modules", ".bin", name);
const port = Number(process.env.PORT ?? 8787);
const transcoderPort = Number(process.env.TRANSCODER_PORT ?? 8788);
const persistTo = path.resolve(root, process.env.PERSIST_DIR ?? ".wrangler/state");
const log = (msg) => console.log(`[start] ${msg}`);

const devVars = path.join(root, ".dev.vars");
if (!existsSync(devVars)) {
  const secret = () => randomBytes(32).toString("base64url");
  writeFileSync(devVars, `JWT_SECRET=${secret()}\nSIGNING_SECRET=${secret()}\n`, { mode: 0o600 });
  log("wrote .dev.vars with fresh local secrets");
}

/** Applies a local D1 database's migrations (wrangler.toml's `binding`), its output passed through. */
function applyMigrations(binding) {
  const run = spawnSync(bin("wrangler"), ["d1", "migrations", "apply", binding, "--local", "--persist-to", persistTo], {
    cwd: root,
    stdio: ["ignore", "pipe", "pipe"],
    encoding: "utf8",
    env: { ...process.env, CI: "true" },
  });
  process.stdout.write(run.stdout ?? "");
  process.stderr.write(run.stderr ?? "");
  return run;
}

log("applying D1 migrations to the local databases (DB, CAPTIONS, COMMENTS)");
const migrate = applyMigrations("DB");
if (migrate.status !== 0) {
  // Migrations 0022, 0024 and 0027 refuse a database whose old tables still hold rows that the
  // release before each moved out with its cron (README, "Deploying"): 0022 the per-view
  // tables (into Durable Objects), 0024 caption cues (into the captions database), 0027
  // comments (into the comments database).
  const output = `${migrate.stdout}${migrate.stderr}`;
  const guards = [
    // [what the refusal names, the table, the migration, the release before it, how that moves it]
    [/(\w+)_not_yet_drained/, undefined, "0022", "", "room joins clear a day after they were made"],
    [
      /caption_cues_not_yet_moved/,
      "caption_cues",
      "0024",
      " (commit 4874815)",
      "each run moves 20,000 cues to the captions database",
    ],
    [
      /comments_not_yet_moved/,
      "comments",
      "0027",
      " (commit b3f0d22)",
      "each run moves 100 videos' comments to the comments database",
    ],
  ];
  const guard = guards.find(([pattern]) => pattern.test(output));
  if (guard) {
    const [pattern, named, release, commit, pace] = guard;
    const table = named ?? pattern.exec(output)?.[1];
    console.error(
      `[start] migrations failed: the local database in ${persistTo} still holds rows of \`${table}\`, which the\n` +
        `  release before migration ${release}${commit} moves out with its cron (README, "Upgrading a deployment\n` +
        `  from before migration ${release}"). Leave that release's \`npm start\` running (it runs the cron every 5 minutes;\n` +
        `  ${pace}) and try again, or start afresh with another\n` +
        "  PERSIST_DIR (the local state is test data). Nothing was changed: D1 rolled the migration back.",
    );
  } else console.error("[start] migrations failed");
  process.exit(1);
}
// The captions and comments databases (wrangler.toml's CAPTIONS and COMMENTS).
for (const [binding, what] of [
  ["CAPTIONS", "captions"],
  ["COMMENTS", "comments"],
]) {
  const applied = applyMigrations(binding);
  if (applied.status !== 0) {
    console.error(`[start] migrations of the ${what} database failed`);
    process.exit(1);
  }
}

const children = [];
function run(name, command, args, env = {}, { restart = false } = {}) {
  const child = spawn(command, args, { cwd: root, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  const prefix = (line) => (line ? `[${name}] ${line}` : line);
  for (const stream of [child.stdout, child.stderr]) {
    let buffered = "";
    stream.on("data", (chunk) => {
      buffered += chunk;
      const lines = buffered.split("\n");
      buffered = lines.pop() ?? "";
      for (const line of lines) if (line.trim()) process.stdout.write(`${prefix(line)}\n`);
    });
  }
  child.on("exit", (code, signal) => {
    if (stopping) return;
    if (restart) {
      // Like a Container that dies: it comes back, and the Worker's watchdog re-dispatches
      // whatever job it was doing.
      console.error(`[start] ${name} exited (${signal ?? code}); restarting it`);
      children.splice(children.indexOf(child), 1);
      setTimeout(() => !stopping && run(name, command, args, env, { restart }), 1000);
      return;
    }
    console.error(`[start] ${name} exited (${signal ?? code}); stopping the stack`);
    stop(1);
  });
  children.push(child);
  log(`${name} started (pid ${child.pid})`);
  return child;
}

let stopping = false;
function stop(code = 0) {
  if (stopping) return;
  stopping = true;
  for (const child of children) if (child.exitCode === null) child.kill("SIGTERM");
  setTimeout(() => {
    for (const child of children) if (child.exitCode === null) child.kill("SIGKILL");
    process.exit(code);
  }, 3000).unref();
  Promise.all(children.map((c) => (c.exitCode === null ? new Promise((r) => c.once("exit", r)) : null))).then(() =>
    process.exit(code),
  );
}
process.on("SIGINT", () => stop(0));
process.on("SIGTERM", () => stop(0));

const transcoderEntry = path.join(root, "transcoder", "src", "server.ts");
const externalTranscoder = (process.env.TRANSCODER_URL ?? "").replace(/\/$/, "");
const hasTranscoder = Boolean(externalTranscoder) || existsSync(transcoderEntry);
const transcoderUrl = externalTranscoder || (hasTranscoder ? `http://127.0.0.1:${transcoderPort}` : "");
const vars = [
  `TRANSCODER_URL:${transcoderUrl}`,
  `PUBLIC_URL:http://127.0.0.1:${port}`,
  // Workers AI and Vectorize have no local simulator: a local embedder and a D1 index serve.
  "VECTOR_BACKEND:local",
  // Auto captions: the transcoder's local engine (pocketsphinx, if installed; the transcoder
  // looks for it once at start, and without it generation answers 503 captions_unavailable).
  "TRANSCRIBER:local",
  // Player events: Analytics Engine has no local query path (miniflare discards its writes);
  // the same columns go into the local ANALYTICS_LOCAL D1 database.
  "ANALYTICS:local",
  // Webhooks may go to a receiver on this machine (http://127.0.0.1, http://localhost); off in production.
  "WEBHOOK_ALLOW_LOOPBACK:true",
];
for (const pair of (process.env.WRANGLER_VARS ?? "").split(",").filter(Boolean)) {
  const [key, ...value] = pair.split("=");
  vars.push(`${key}:${value.join("=")}`);
}

if (externalTranscoder) {
  log(`using the transcoder at ${externalTranscoder}`);
} else if (hasTranscoder) {
  run(
    "transcoder",
    bin("node"),
    ["--experimental-strip-types", "--no-warnings", transcoderEntry],
    { PORT: String(transcoderPort) },
    { restart: true },
  );
}
// Wrangler's local trace collector (X_LOCAL_OBSERVABILITY, on by default) reports every
// invocation to a collector in the same workerd: a perf profile of 50 comments a second had
// 15% of workerd's CPU in it, and workerd's thread went from 92% to 60% busy without it. The
// platform's own log lines still print; X_LOCAL_OBSERVABILITY=true brings the traces back.
const localDevEnv = { X_LOCAL_OBSERVABILITY: process.env.X_LOCAL_OBSERVABILITY ?? "false" };
run(
  "api",
  bin("wrangler"),
  [
    "dev",
    "--ip",
    "127.0.0.1",
    "--port",
    String(port),
    "--persist-to",
    persistTo,
    "--show-interactive-dev-session=false",
    // Local dev has no cron: --test-scheduled exposes /__scheduled, which the timer below hits.
    "--test-scheduled",
    // No remote bindings: Workers AI would otherwise open a remote session (an account and a
    // network); with none, recommendations use the local embedder and index (VECTOR_BACKEND).
    "--local",
    ...vars.flatMap((v) => ["--var", v]),
  ],
  localDevEnv,
);

async function waitFor(url, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && !stopping) {
    try {
      const res = await fetch(url);
      if (res.ok) return true;
    } catch {}
    await new Promise((r) => setTimeout(r, 250));
  }
  return false;
}

const ready = await Promise.all([
  waitFor(`http://127.0.0.1:${port}/api/v1/health`, 120_000),
  hasTranscoder ? waitFor(`${transcoderUrl}/health`, 60_000) : true,
]);
if (ready.every(Boolean)) {
  // The cron of wrangler.toml (every 5 minutes): expired uploads, trending.
  setInterval(() => {
    fetch(`http://127.0.0.1:${port}/__scheduled?cron=${encodeURIComponent("*/5 * * * *")}`).catch(() => {});
  }, 5 * 60_000).unref();
  log(`CloudTube is up: http://127.0.0.1:${port}  (API docs: http://127.0.0.1:${port}/api/docs)`);
  log("ready");
} else if (!stopping) {
  console.error("[start] the stack did not come up in time");
  stop(1);
}
