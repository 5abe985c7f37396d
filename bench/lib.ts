import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { freePort, type Stack, startStack } from "../test/e2e/stack.ts";

export * from "./mode.ts";

const root = path.resolve(import.meta.dirname, "..");

export const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** The bare baseline Worker (bench/bare) under `wrangler dev`, in the same runtime as the stack. */
export async function startBare(): Promise<{ url: string; pid: number; stop(): Promise<void> }> {
  const port = await freePort();
  const persist = mkdtempSync(path.join(tmpdir(), "bench-bare-"));
  const child = spawn(
    path.join(root, "node_modules/.bin/wrangler"),
    [
      "dev",
      "-c",
      "bench/bare/wrangler.toml",
      "--ip",
      "127.0.0.1",
      "--port",
      String(port),
      "--persist-to",
      persist,
      "--show-interactive-dev-session=false",
    ],
    {
      cwd: root,
      stdio: ["ignore", "ignore", "ignore"],
      detached: true,
      // As scripts/start.mjs runs the stack: without wrangler's local trace collector.
      env: { ...process.env, X_LOCAL_OBSERVABILITY: process.env.X_LOCAL_OBSERVABILITY ?? "false" },
    },
  );
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    try {
      process.kill(-child.pid!, "SIGTERM");
    } catch {}
    await new Promise((r) => setTimeout(r, 1000));
    rmSync(persist, { recursive: true, force: true });
  };
  for (let i = 0; ; i++) {
    try {
      if ((await fetch(`${url}/json`)).ok) break;
    } catch {}
    if (i === 480 || child.exitCode !== null) {
      // Not left running behind a benchmark that stops here.
      await stop();
      throw new Error(`the bare Worker did not start on ${url} (exit ${child.exitCode})`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return { url, pid: child.pid!, stop };
}

const CLOCK_TICKS = Number(spawnSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).stdout.trim()) || 100;

/**
 * CPU time (user + system, ms) spent so far by the live processes of process group `pgid`
 * (a stack or the bare Worker, each started as its own group), read from /proc: two readings
 * around a load give what serving it cost, whichever of the group's processes did the work.
 * NaN where /proc is not there.
 */
export function groupCpuMs(pgid: number): number {
  let ticks = 0;
  try {
    for (const entry of readdirSync("/proc")) {
      if (!/^\d+$/.test(entry)) continue;
      let stat: string;
      try {
        stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      } catch {
        continue; // gone meanwhile
      }
      // After the command's parenthesised name: state, ppid, pgrp, ..., utime (14th), stime (15th).
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (Number(fields[2]) !== pgid) continue;
      ticks += Number(fields[11]) + Number(fields[12]);
    }
  } catch {
    return Number.NaN;
  }
  return (ticks * 1000) / CLOCK_TICKS;
}

/**
 * The real stack (with `vars`) and the bare Worker, started side by side; when either fails
 * to start, the other is stopped, so that no failed run leaves servers behind.
 */
export async function startStackAndBare(
  vars: Record<string, string>,
): Promise<{ stack: Stack; bare: Awaited<ReturnType<typeof startBare>> }> {
  const [stack, bare] = await Promise.allSettled([startStack(vars), startBare()]);
  if (stack.status === "fulfilled" && bare.status === "fulfilled") return { stack: stack.value, bare: bare.value };
  if (stack.status === "fulfilled") await stack.value.stop();
  if (bare.status === "fulfilled") await bare.value.stop();
  throw stack.status === "rejected" ? stack.reason : (bare as PromiseRejectedResult).reason;
}

/** A fresh account on the stack; answers its bearer token. */
export async function register(api: string): Promise<string> {
  const n = `${Date.now()}${Math.floor(Math.random() * 1e6)}`;
  const res = await fetch(`${api}/api/v1/auth/register`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ email: `bench${n}@example.com`, username: `bench${n}`, password: "benchmark password" }),
  });
  if (res.status !== 201) throw new Error(`register: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { token: string }).token;
}
