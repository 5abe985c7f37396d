import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync } from "node:fs";
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
  const group = groupStats(pgid);
  if (!group.length) return Number.NaN;
  // utime and stime: the 14th and 15th fields of stat, the 12th and 13th after the name.
  const ticks = group.reduce((n, { fields }) => n + Number(fields[11]) + Number(fields[12]), 0);
  return (ticks * 1000) / CLOCK_TICKS;
}

/**
 * The live processes of process group `pgid` and their stat fields after the parenthesised
 * command name (state, ppid, pgrp, ...), from /proc (empty where /proc is not there).
 */
function groupStats(pgid: number): { pid: number; fields: string[] }[] {
  const group: { pid: number; fields: string[] }[] = [];
  try {
    for (const entry of readdirSync("/proc")) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
        const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
        if (Number(fields[2]) === pgid) group.push({ pid: Number(entry), fields });
      } catch {} // gone meanwhile
    }
  } catch {}
  return group;
}

/** The TCP ports the processes `pids` listen on (IPv4 and IPv6), from /proc. */
function listeningPorts(pids: number[]): number[] {
  const inodes = new Set<string>();
  for (const pid of pids) {
    try {
      for (const fd of readdirSync(`/proc/${pid}/fd`)) {
        try {
          const link = readlinkSync(`/proc/${pid}/fd/${fd}`);
          const inode = /^socket:\[(\d+)\]$/.exec(link)?.[1];
          if (inode) inodes.add(inode);
        } catch {}
      }
    } catch {}
  }
  const ports = new Set<number>();
  for (const table of ["/proc/net/tcp", "/proc/net/tcp6"]) {
    let text = "";
    try {
      text = readFileSync(table, "utf8");
    } catch {
      continue;
    }
    for (const line of text.split("\n").slice(1)) {
      // sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode
      const cols = line.trim().split(/\s+/);
      if (cols[3] !== "0A" || !inodes.has(cols[9] ?? "")) continue; // 0A: LISTEN
      ports.add(Number.parseInt(cols[1]!.split(":").pop()!, 16));
    }
  }
  return [...ports];
}

/**
 * The Worker's own address behind `wrangler dev`. wrangler answers on its port through a proxy
 * Worker of its own (its ProxyWorker, in a second workerd), which relays every request and
 * every WebSocket frame to the runtime that runs the Worker, on a port it picks; Cloudflare
 * has no such hop. Of the ports the started group (`pgid`) listens on, the one other than
 * `url`'s that answers `probe` with the same status and body as `url` does.
 */
export async function directUrl(url: string, pgid: number, probe: string): Promise<string> {
  const want = await fetch(`${url}${probe}`);
  const body = await want.text();
  const own = Number(new URL(url).port);
  for (const port of listeningPorts(groupStats(pgid).map((p) => p.pid))) {
    if (port === own) continue;
    const candidate = `http://127.0.0.1:${port}`;
    try {
      const res = await fetch(`${candidate}${probe}`, { signal: AbortSignal.timeout(2000) });
      if (res.status === want.status && (await res.text()) === body) return candidate;
    } catch {} // not HTTP, or not there
  }
  throw new Error(`no port of process group ${pgid} answers ${probe} as ${url} does`);
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
