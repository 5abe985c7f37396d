import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { freePort } from "../test/e2e/stack.ts";

const root = path.resolve(import.meta.dirname, "..");

export const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** The bare baseline Worker (bench/bare) under `wrangler dev`, in the same runtime as the stack. */
export async function startBare(): Promise<{ url: string; stop(): Promise<void> }> {
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
    { cwd: root, stdio: ["ignore", "ignore", "ignore"], detached: true },
  );
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 240; i++) {
    try {
      if ((await fetch(`${url}/json`)).ok) break;
    } catch {}
    await new Promise((r) => setTimeout(r, 500));
  }
  return {
    url,
    async stop() {
      try {
        process.kill(-child.pid!, "SIGTERM");
      } catch {}
      await new Promise((r) => setTimeout(r, 1000));
      rmSync(persist, { recursive: true, force: true });
    },
  };
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
