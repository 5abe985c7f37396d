import { createServer, type IncomingHttpHeaders, type Server } from "node:http";

/** One request a webhook receiver got: when, what, and the headers a verifier reads. */
export interface Heard {
  at: number;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/**
 * An integrator's server on this machine: a Node HTTP server on 127.0.0.1 (a port of its
 * own) that keeps every request and answers with `answer(heard)`'s status (200 unless told
 * otherwise). The stack reaches it because `npm start` sets WEBHOOK_ALLOW_LOOPBACK.
 */
export async function startReceiver() {
  const heard: Heard[] = [];
  const waiters: (() => void)[] = [];
  const state = { answer: (_h: Heard): number => 200 };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const entry = {
        at: Date.now(),
        path: req.url ?? "/",
        headers: req.headers,
        body: Buffer.concat(chunks).toString(),
      };
      heard.push(entry);
      res.writeHead(state.answer(entry), { "Content-Type": "text/plain" }).end("ok");
      for (const wake of waiters.splice(0)) wake();
    });
  });
  // Many deliveries at once (the fan-out benchmark): no connection limit of Node's to wait on.
  server.maxConnections = 10_000;
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    heard,
    state,
    /** Resolves once `count` requests have come (or rejects after `timeoutMs`). */
    async until(count: number, timeoutMs: number): Promise<Heard[]> {
      const deadline = Date.now() + timeoutMs;
      while (heard.length < count) {
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`the receiver heard ${heard.length} of ${count} requests in ${timeoutMs} ms`);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, Math.min(left, 1000));
          waiters.push(() => {
            clearTimeout(timer);
            resolve();
          });
        });
      }
      return heard;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The Standard Webhooks headers of a request, as a verifier takes them. */
export const signedHeaders = (h: Heard) => ({
  "webhook-id": String(h.headers["webhook-id"] ?? ""),
  "webhook-timestamp": String(h.headers["webhook-timestamp"] ?? ""),
  "webhook-signature": String(h.headers["webhook-signature"] ?? ""),
});
