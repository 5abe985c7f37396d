// The deployed Worker declines permessage-deflate on its WebSockets (wrangler.toml's
// `no_web_socket_compression`): a live room's relay sends each batch to 2,000 sockets, and the
// runtime would deflate it once per socket. Local dev cannot show it (wrangler's entry worker,
// in front of ours, negotiates compression itself), so this runs the runtime wrangler ships,
// workerd, serving a Worker with our wrangler.toml's compatibility date and flags directly, and
// connects as a browser does, offering permessage-deflate.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { unstable_readConfig } from "wrangler";
import WebSocket from "ws";
import { freePort } from "../e2e/stack.ts";

const root = path.resolve(import.meta.dirname, "../..");
const require = createRequire(import.meta.url);
/** The workerd binary wrangler itself runs. */
const workerd: string = createRequire(require.resolve("wrangler/package.json"))("workerd").default;

const worker = `export default {
  async fetch() {
    const [client, server] = Object.values(new WebSocketPair());
    server.accept();
    server.send(JSON.stringify({ type: "batch", events: Array(50).fill("the same comment, again") }));
    return new Response(null, { status: 101, webSocket: client });
  },
};`;

/** Serves `worker` on a free port with the given compatibility settings. */
async function serve(date: string, flags: string[]) {
  const dir = mkdtempSync(path.join(tmpdir(), "ws-compression-"));
  const port = await freePort();
  writeFileSync(path.join(dir, "worker.js"), worker);
  writeFileSync(
    path.join(dir, "config.capnp"),
    `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [ (name = "main", worker = .w) ],
  sockets = [ (name = "http", address = "127.0.0.1:${port}", http = (), service = "main") ],
);
const w :Workerd.Worker = (
  modules = [ (name = "worker", esModule = embed "worker.js") ],
  compatibilityDate = "${date}",
  compatibilityFlags = [${flags.map((f) => JSON.stringify(f)).join(", ")}],
);`,
  );
  const child: ChildProcess = spawn(workerd, ["serve", path.join(dir, "config.capnp")], { stdio: "ignore" });
  const url = `ws://127.0.0.1:${port}/`;
  // Up when it answers.
  for (let i = 0; i < 100; i++) {
    const up = await fetch(url.replace("ws:", "http:")).then(
      () => true,
      () => false,
    );
    if (up) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    stop() {
      child.kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** What a client offering permessage-deflate (as browsers do) gets: the extension agreed and the first message. */
async function connect(url: string) {
  const socket = new WebSocket(url, { perMessageDeflate: true });
  const message = new Promise<string>((resolve) => socket.once("message", (d) => resolve(String(d))));
  await new Promise((resolve, reject) => {
    socket.once("open", resolve);
    socket.once("error", reject);
  });
  const result = { extensions: socket.extensions, message: await message };
  socket.terminate();
  return result;
}

describe("WebSocket compression in the deployed runtime", () => {
  const config = unstable_readConfig({ config: path.join(root, "wrangler.toml") });
  const servers: { stop(): void }[] = [];
  let ours: string;
  let without: string;

  beforeAll(async () => {
    const date = config.compatibility_date as string;
    const a = await serve(date, config.compatibility_flags);
    const b = await serve(
      date,
      config.compatibility_flags.filter((f: string) => f !== "no_web_socket_compression"),
    );
    servers.push(a, b);
    ours = a.url;
    without = b.url;
  });
  afterAll(() => {
    for (const s of servers) s.stop();
  });

  it("is declined with our wrangler.toml, though the client offers it", async () => {
    const { extensions, message } = await connect(ours);
    expect(extensions).toBe("");
    expect(JSON.parse(message).events).toHaveLength(50);
  });

  it("would be agreed without the flag (what the flag changes)", async () => {
    const { extensions, message } = await connect(without);
    expect(extensions).toContain("permessage-deflate");
    expect(JSON.parse(message).events).toHaveLength(50);
  });
});
