import { randomBytes } from "node:crypto";
import { createConnection, createServer, type Server, type Socket } from "node:net";
import * as tus from "tus-js-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Stack, startStack } from "./stack";

const MiB = 1024 * 1024;

let stack: Stack;
let token: string;

beforeAll(async () => {
  stack = await startStack();
  const n = Date.now().toString(36);
  const res = await fetch(`${stack.url}/api/v1/auth/register`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({
      email: `tus_${n}@example.com`,
      username: `tus_${n}`,
      password: "correct horse battery staple",
    }),
  });
  expect(res.status).toBe(201);
  token = ((await res.json()) as { token: string }).token;
});

afterAll(async () => {
  await stack?.stop();
});

/** A file that starts like an MP4 (an `ftyp` box) and is random after. */
function videoFile(size: number): Buffer {
  const file = randomBytes(size);
  Buffer.from([0, 0, 0, 0x18, ...Buffer.from("ftypisom"), 0, 0, 2, 0]).copy(file);
  return file;
}

const api = (urlPath: string, init: RequestInit = {}) =>
  fetch(`${stack.url}${urlPath}`, { ...init, headers: { Authorization: `Bearer ${token}`, ...init.headers } });

/** Runs one tus upload to its end: the upload URL on success, the error otherwise. */
function runUpload(file: Buffer, options: tus.UploadOptions): Promise<{ url: string | null; error?: Error }> {
  return new Promise((resolve) => {
    const upload = new tus.Upload(file, {
      headers: { Authorization: `Bearer ${token}` },
      metadata: { filename: "generated.mp4", title: "Sent with tus-js-client", content_type: "video/mp4" },
      retryDelays: [],
      ...options,
      onSuccess: () => resolve({ url: upload.url }),
      onError: (error) => resolve({ url: upload.url, error }),
    });
    upload.start();
  });
}

/** The stored source object, read from the stack's local R2. */
const storedSource = (videoId: string) => stack.storedObject(`videos/${videoId}/source/original.mp4`);

async function uploadState(uploadUrl: string) {
  const id = new URL(uploadUrl).pathname.split("/").pop();
  const res = await api(`/api/v1/videos/upload/${id}`);
  expect(res.status).toBe(200);
  return (await res.json()) as { status: string; video_id: string; part_size: number; received_bytes: number };
}

/** Waits until the stack has logged the end of a `method` request to `urlPath`. */
async function requestFinished(method: string, urlPath: string) {
  const logged = () =>
    stack
      .output()
      .split("\n")
      .some((line) => line.includes(`"method":"${method}"`) && line.includes(`"path":"${urlPath}"`));
  for (let i = 0; i < 300 && !logged(); i++) await new Promise((r) => setTimeout(r, 100));
  expect(logged()).toBe(true);
}

/**
 * A TCP proxy in front of the stack that, once, destroys the connection after `cutAt`
 * bytes from the client: the request dies mid-body as on a dropped network.
 */
async function cuttingProxy(target: URL, cutAt: number): Promise<{ url: string; cuts(): number; close(): void }> {
  let cuts = 0;
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = createConnection({ host: target.hostname, port: Number(target.port) });
    sockets.add(client).add(upstream);
    let sent = 0;
    client.on("data", (data: Buffer) => {
      if (cuts === 0 && sent + data.length >= cutAt) {
        // Let the bytes before the cut reach the server, then drop both sides at once.
        cuts++;
        client.pause();
        upstream.write(data.subarray(0, cutAt - sent), () => {
          client.destroy();
          upstream.destroy();
        });
        return;
      }
      sent += data.length;
      // Backpressure: read from the client only as fast as the server takes the bytes.
      if (!upstream.write(data)) client.pause();
    });
    upstream.on("drain", () => client.resume());
    upstream.on("data", (data: Buffer) => client.write(data));
    client.on("close", () => upstream.destroy());
    upstream.on("close", () => client.destroy());
    client.on("error", () => {});
    upstream.on("error", () => {});
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    cuts: () => cuts,
    close() {
      for (const socket of sockets) socket.destroy();
      server.close();
    },
  };
}

describe("tus with tus-js-client against the local stack", () => {
  it("uploads a 20 MB file in 3 MiB PATCHes; the upload completes and R2 holds the same bytes", async () => {
    const file = videoFile(20 * 1000 * 1000);
    const result = await runUpload(file, { endpoint: `${stack.url}/api/v1/uploads/tus`, chunkSize: 3 * MiB });
    expect(result.error).toBeUndefined();
    expect(result.url).toMatch(/\/api\/v1\/uploads\/tus\/[\w-]+$/);

    const state = await uploadState(result.url!);
    expect(state.status).toBe("completed");
    expect(state.received_bytes).toBe(file.length);
    expect(storedSource(state.video_id).equals(file)).toBe(true);
  });

  it("resumes after the connection is cut mid-chunk, from the last whole part, to a byte-identical object", async () => {
    const file = videoFile(20 * 1000 * 1000);
    // Cut 13 MiB into the one big PATCH (tus-js-client's default chunk size): part 1 is whole.
    const proxy = await cuttingProxy(new URL(stack.url), 13 * MiB);
    try {
      const first = await runUpload(file, { endpoint: `${proxy.url}/api/v1/uploads/tus` });
      expect(proxy.cuts()).toBe(1);
      expect(first.error).toBeDefined();
      expect(first.url).toBeTruthy();

      // The server works off the bytes that reached it before the cut; a client that came
      // back at once could see an offset from before them (still correct, only smaller).
      await requestFinished("PATCH", new URL(first.url!).pathname);
      const { part_size: partSize, status } = await uploadState(first.url!);
      expect(status).toBe("open");

      // A new client resumes from the URL: it asks the offset (HEAD) and PATCHes from there.
      const patchOffsets: number[] = [];
      const resumed = await runUpload(file, {
        uploadUrl: first.url!,
        onBeforeRequest: (req) => {
          if (req.getMethod() === "PATCH") patchOffsets.push(Number(req.getHeader("Upload-Offset")));
        },
      });
      expect(resumed.error).toBeUndefined();
      expect(patchOffsets).toHaveLength(1);
      const [offset] = patchOffsets;
      // 13 MiB in: part 1 (8 MiB) was whole, part 2 was not; the offset is the end of part 1.
      expect(offset! % partSize).toBe(0);
      expect(offset).toBe(partSize);

      const state = await uploadState(first.url!);
      expect(state.status).toBe("completed");
      expect(storedSource(state.video_id).equals(file)).toBe(true);
    } finally {
      proxy.close();
    }
  });
});
