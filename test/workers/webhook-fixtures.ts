// Webhooks in Worker tests: a receiver in front of the network, the webhook queue held in the
// test's hands (messages are delivered when the test says, at the time it says), and endpoints
// made through the API.
import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, beforeEach, vi } from "vitest";
import worker from "../../workers/index";
import type { WebhookMessage } from "../../workers/schemas/webhooks";
import { api, type TestUser } from "./fixtures";

/** Where test endpoints live: a public name (production rules) and a loopback one (the local setting). */
export const HOOKS = "https://hooks.example.com";

export interface Received {
  url: string;
  headers: Record<string, string>;
  body: string;
  at: number;
}

type Answer = (request: Request) => Response | Promise<Response>;

/**
 * Everything sent to `https://hooks.example.com/...` or `http://127.0.0.1...` is recorded and
 * answered by `answer` (200 by default), and the DNS-over-HTTPS resolver is answered from
 * `dns`; anything else goes on to the network (or the transcoder stub). Installed by
 * `stubReceiver()` around each test.
 */
export const receiver = {
  requests: [] as Received[],
  answer: (() => new Response("ok")) as Answer,
};

/** The DNS-over-HTTPS resolver the platform asks (WEBHOOK_DNS_URL's default). */
export const RESOLVER = "https://cloudflare-dns.com/dns-query";

/**
 * What the stubbed resolver answers, by name: its A and AAAA addresses (a CNAME in front when
 * `cname` is set); a name not here does not exist (NXDOMAIN). `down` makes it answer 503.
 * Reset before each test to `hooks.example.com` at a public address.
 */
export const dns = {
  records: {} as Record<string, { A?: string[]; AAAA?: string[]; cname?: string }>,
  down: false,
  asked: [] as string[],
};

function resolverAnswer(url: URL): Response {
  const name = (url.searchParams.get("name") ?? "").toLowerCase();
  const type = url.searchParams.get("type") === "AAAA" ? "AAAA" : "A";
  dns.asked.push(`${name} ${type}`);
  if (dns.down) return new Response("unavailable", { status: 503 });
  const record = dns.records[name];
  if (!record) return Response.json({ Status: 3 });
  const answer = [
    ...(record.cname ? [{ name, type: 5, data: `${record.cname}.` }] : []),
    ...(record[type] ?? []).map((data) => ({ name: record.cname ?? name, type: type === "A" ? 1 : 28, data })),
  ];
  return Response.json({ Status: 0, Answer: answer });
}

export function stubReceiver() {
  let previous: typeof fetch;
  beforeEach(() => {
    receiver.requests = [];
    receiver.answer = () => new Response("ok");
    dns.records = { "hooks.example.com": { A: ["93.184.215.14"], AAAA: ["2606:2800:21f:cb07:6820:80da:af6b:8b2c"] } };
    dns.down = false;
    dns.asked = [];
    previous = globalThis.fetch;
    globalThis.fetch = async (input: RequestInfo | URL, init?: RequestInit) => {
      // The URL alone first: building a Request from another would take its body.
      const url = input instanceof Request ? input.url : String(input);
      if (url.startsWith(`${RESOLVER}?`)) return resolverAnswer(new URL(url));
      if (!url.startsWith(`${HOOKS}/`) && !url.startsWith("http://127.0.0.1")) return previous(input, init);
      const request = new Request(input, init);
      receiver.requests.push({
        url: request.url,
        headers: Object.fromEntries(request.headers),
        body: await request.clone().text(),
        at: Date.now(),
      });
      return receiver.answer(request);
    };
  });
  afterEach(() => {
    globalThis.fetch = previous;
  });
}

export interface Queued {
  body: WebhookMessage;
  delaySeconds: number;
}

/**
 * The `webhook-deliveries` queue, held: what is sent to it is kept here instead of being
 * consumed in the background, and `deliver()` hands messages to the consumer as the runtime
 * would. Installed around each test by `holdWebhookQueue()`.
 */
export const held = { queued: [] as Queued[] };

export function holdWebhookQueue() {
  beforeEach(() => {
    held.queued = [];
    const queue = env.WEBHOOK_DELIVERIES_QUEUE;
    vi.spyOn(queue, "send").mockImplementation(async (body, options) => {
      held.queued.push({ body: body as WebhookMessage, delaySeconds: options?.delaySeconds ?? 0 });
      return undefined as never;
    });
    vi.spyOn(queue, "sendBatch").mockImplementation(async (messages) => {
      for (const m of messages) held.queued.push({ body: m.body as WebhookMessage, delaySeconds: m.delaySeconds ?? 0 });
      return undefined as never;
    });
  });
  afterEach(() => vi.restoreAllMocks());
}

let sequence = 0;

/** Hands `bodies` to the queue's consumer as one batch; answers what it acked and retried. */
export async function deliver(queue: string, bodies: unknown[], attempts = 1) {
  const batch = createMessageBatch(
    queue,
    bodies.map((body) => ({ id: `w${++sequence}`, timestamp: Date.now(), attempts, body })),
  );
  const ctx = createExecutionContext();
  await worker.queue(batch, env, ctx);
  return getQueueResult(batch, ctx);
}

/** Takes the held messages (all, or those of `kind`) out of the queue. */
export function take(kind?: WebhookMessage["kind"]): Queued[] {
  const out = held.queued.filter((q) => !kind || q.body.kind === kind);
  held.queued = held.queued.filter((q) => !out.includes(q));
  return out;
}

/** Runs the queue until it is empty of messages due now: fan-outs and first attempts (retries wait). */
export async function drain() {
  for (let round = 0; round < 10; round++) {
    const due = held.queued.filter((q) => q.delaySeconds === 0);
    if (!due.length) return;
    held.queued = held.queued.filter((q) => !due.includes(q));
    await deliver(
      "webhook-deliveries",
      due.map((q) => q.body),
    );
  }
}

export interface Endpoint {
  id: string;
  url: string;
  events: string[];
  secret: string;
  enabled: boolean;
}

export async function createEndpoint(
  user: TestUser,
  body: { url?: string; events?: string[]; description?: string } = {},
): Promise<Endpoint> {
  const res = await api("/api/v1/webhooks", {
    method: "POST",
    as: user,
    json: { url: `${HOOKS}/${user.username}`, events: ["video.ready"], ...body },
  });
  if (res.status !== 201) throw new Error(`webhook: ${res.status} ${await res.text()}`);
  return (await res.json()) as Endpoint;
}

/** The headers a Standard Webhooks verifier reads. */
export const signed = (r: Received) => ({
  "webhook-id": r.headers["webhook-id"] ?? "",
  "webhook-timestamp": r.headers["webhook-timestamp"] ?? "",
  "webhook-signature": r.headers["webhook-signature"] ?? "",
});
