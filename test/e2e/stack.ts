import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll } from "vitest";
import { client } from "./clients.ts";

const root = path.resolve(import.meta.dirname, "../..");

export interface Stack {
  url: string;
  /** The process group of everything the stack runs (wrangler, both workerd processes, the transcoder). */
  pid: number;
  transcoderUrl: string;
  persistDir: string;
  /** Everything the stack printed so far. */
  output(): string;
  /** An object of the stack's local R2 bucket, read with wrangler (e.g. an upload's source). */
  storedObject(key: string): Buffer;
  stop(): Promise<void>;
}

/** A port nothing on this machine listens on (for a moment). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on("error", reject);
  });
}

/**
 * Starts the real local stack exactly as `npm start` does (scripts/start.mjs), on free
 * ports and a fresh persistence folder, and waits until it says it is ready. With
 * `transcoderUrl` the stack uses that transcoder instead of starting its own.
 */
export async function startStack(
  vars: Record<string, string> = {},
  options: { transcoderUrl?: string } = {},
): Promise<Stack> {
  const port = await freePort();
  const transcoderPort = await freePort();
  const persistDir = mkdtempSync(path.join(tmpdir(), "cloudtube-e2e-"));
  const wranglerVars = Object.entries({ RATE_LIMIT_SCALE: "100", ...vars })
    .map(([k, v]) => `${k}=${v}`)
    .join(",");
  const child: ChildProcess = spawn(path.join(root, "node_modules/.bin/node"), ["scripts/start.mjs"], {
    cwd: root,
    env: {
      ...process.env,
      PORT: String(port),
      TRANSCODER_PORT: String(transcoderPort),
      PERSIST_DIR: persistDir,
      WRANGLER_VARS: wranglerVars,
      // An already running transcoder (the built image), or one the stack starts.
      TRANSCODER_URL: options.transcoderUrl ?? "",
    },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  // The stack's own lines ("[start] ...") and the live rooms' tick summaries (bench:room reads
  // them) are all kept; the rest only as a recent tail, so a long benchmark does not spend its
  // client's CPU and memory on the server's logs.
  let notes = "";
  let tail = "";
  const take = (d: Buffer) => {
    const text = String(d);
    for (const line of text.split("\n"))
      if (line.startsWith("[start]") || line.includes('"room ticks"')) notes += `${line}\n`;
    tail = (tail + text).slice(-65_536);
  };
  child.stdout!.on("data", take);
  child.stderr!.on("data", take);
  const output = () => notes + tail;

  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      // Stopped, not left running (detached, it would outlive the caller that gives up here).
      try {
        process.kill(-child.pid!, "SIGKILL");
      } catch {}
      rmSync(persistDir, { recursive: true, force: true });
      reject(new Error(`stack did not start:\n${output().slice(-4000)}`));
    }, 150_000);
    const check = () => {
      if (notes.includes("[start] ready")) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on("data", check);
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`stack exited (${code}):\n${output().slice(-4000)}`));
    });
  });

  return {
    url: `http://127.0.0.1:${port}`,
    pid: child.pid!,
    transcoderUrl: options.transcoderUrl ?? `http://127.0.0.1:${transcoderPort}`,
    persistDir,
    output,
    storedObject: (key) => readStoredObject(persistDir, key),
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once("exit", r));
        process.kill(-child.pid!, "SIGTERM");
        // The grace timer is cleared once the stack has gone, or it would hold the caller's
        // process open for its whole 8 s (every benchmark ended 8 s late).
        let grace: NodeJS.Timeout | undefined;
        await Promise.race([exited, new Promise((r) => (grace = setTimeout(r, 8000)))]);
        clearTimeout(grace);
        if (child.exitCode === null) process.kill(-child.pid!, "SIGKILL");
      }
      rmSync(persistDir, { recursive: true, force: true });
    },
  };
}

/** `wrangler <args> --local` against the stack's local state, as the project's own wrangler runs it. */
export function localWrangler(args: string[]) {
  return spawnSync(
    path.join(root, "node_modules/.bin/node"),
    [path.join(root, "node_modules/wrangler/bin/wrangler.js"), ...args, "--local"],
    { cwd: root, encoding: "utf8", env: { ...process.env, CI: "true" } },
  );
}

function readStoredObject(persistDir: string, key: string): Buffer {
  const dir = mkdtempSync(path.join(tmpdir(), "cloudtube-r2-"));
  try {
    const out = path.join(dir, "object");
    const run = localWrangler([
      "r2",
      "object",
      "get",
      `cloudtube-media/${key}`,
      "--persist-to",
      persistDir,
      "--file",
      out,
    ]);
    if (run.status !== 0) throw new Error(`wrangler r2 object get failed:\n${run.stdout}\n${run.stderr}`);
    return readFileSync(out);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** What a test file shares: the running stack, a client of its API and a scratch folder. */
export interface RunningStack {
  stack: Stack;
  api: ReturnType<typeof client>;
  work: string;
}

/**
 * Starts the stack (with `vars`) before the file's tests and stops it, and removes the
 * scratch folder, after them. The fields are there once the tests run.
 */
export function runningStack(name: string, vars: Record<string, string> = {}): RunningStack {
  const running = {} as RunningStack;
  beforeAll(async () => {
    running.work = mkdtempSync(path.join(tmpdir(), `e2e-${name}-`));
    running.stack = await startStack(vars);
    running.api = client(running.stack.url);
  });
  afterAll(async () => {
    await running.stack?.stop();
    if (running.work) rmSync(running.work, { recursive: true, force: true });
  });
  return running;
}
