import type { Database } from "../env";
import { log } from "../lib/log";
import type { SecretBox } from "../lib/secret-box";
import { signatureHeader } from "../lib/webhook-signing";
import { checkWebhookTarget, RESOLVE_TIMEOUT_MS, type Resolution } from "../lib/webhook-url";
import type { BatchProducer } from "../schemas/queues";
import type { WebhookMessage } from "../schemas/webhooks";
import * as store from "../storage/webhooks";

/**
 * Delivering webhooks (Standard Webhooks): each event fans out to its endpoints as one
 * `webhook-deliveries` message per delivery; each message makes one attempt, and a failed
 * attempt queues the next on the schedule below. The `webhook-id` is the event's id on every
 * attempt and to every endpoint, so a receiver can drop what it has seen.
 */

/** Seconds from a failed attempt to the next (API.md): attempt n+1 waits SCHEDULE[n-1]. */
export const RETRY_SCHEDULE = [5, 300, 1800, 7200, 18000, 36000, 50400, 72000, 86400] as const;
/** The first attempt and one per step of the schedule. */
export const MAX_ATTEMPTS = RETRY_SCHEDULE.length + 1;
/** A wait is stretched or shrunk by up to this share, so endpoints that failed together do not all retry together. */
export const JITTER = 0.1;
/** A queue message waits at most 12 hours; a longer wait is made of several. */
export const MAX_QUEUE_DELAY_SECONDS = 43_200;
/** What is kept of an answer's body, per attempt. */
export const BODY_EXCERPT_BYTES = 1024;
/**
 * An attempt's shortest lease: past the timeout, so a second copy of a message never sends
 * while the first waits. A batch's leases cover its slowest lane (see `leaseFor`).
 */
const MIN_LEASE_MS = 60_000;
/** A `Retry-After` further out than the schedule's longest wait is held to it. */
const MAX_RETRY_AFTER_SECONDS = 86_400;
/** Messages per `sendBatch` (the Queues limit). */
const SEND_BATCH = 100;

export interface DeliveryConfig {
  allowLoopback: boolean;
  /** No answer within this is a failed attempt (API.md: 15 s). */
  timeoutMs: number;
}

export interface DeliveryDeps {
  db: Database;
  secrets: SecretBox;
  queue: BatchProducer<WebhookMessage>;
  /** The network (tests pass a receiver). */
  fetch: typeof fetch;
  /** A host name's addresses (DNS over HTTPS): checked again before every attempt. */
  resolve(name: string): Promise<Resolution>;
  config: DeliveryConfig;
  /** [0, 1): the jitter. */
  random: () => number;
  now: () => Date;
}

/** The wait before attempt `next` (2 and up), jittered, at least what `Retry-After` asked. */
export function retryDelaySeconds(next: number, random: () => number, retryAfterSeconds?: number): number {
  const base = RETRY_SCHEDULE[Math.min(next, MAX_ATTEMPTS) - 2] ?? RETRY_SCHEDULE[0];
  const jittered = Math.max(1, Math.round(base * (1 + JITTER * (2 * random() - 1))));
  return retryAfterSeconds === undefined
    ? jittered
    : Math.max(jittered, Math.min(retryAfterSeconds, MAX_RETRY_AFTER_SECONDS));
}

/** `Retry-After` in seconds (a number or an HTTP date), or undefined. */
export function parseRetryAfter(value: string | null, now: Date): number | undefined {
  if (!value) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim());
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - now.getTime()) / 1000));
}

/** An `event` message: the event's deliveries are made and each first attempt queued. Idempotent. */
export async function fanOutEvent(deps: DeliveryDeps, eventId: string) {
  const now = deps.now();
  const pending = await store.fanOut(deps.db, eventId, now);
  for (let i = 0; i < pending.length; i += SEND_BATCH) {
    await deps.queue.sendBatch(
      pending
        .slice(i, i + SEND_BATCH)
        .map((id) => ({ body: { kind: "attempt", delivery_id: id, attempt: 1 } as const })),
    );
  }
  await store.markFannedOut(deps.db, eventId, now);
  return pending.length;
}

type Sent =
  | { status: number; body: string; retryAfter?: number; error: null }
  | { status: null; body: null; error: "timeout" | "redirect" | "network" | "url_refused" };

/** The first KiB of a body, read no further (a receiver may answer megabytes). */
async function excerpt(res: Response): Promise<string> {
  if (!res.body) return "";
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    while (size < BODY_EXCERPT_BYTES) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.byteLength;
    }
  } finally {
    await reader.cancel().catch(() => {});
  }
  const bytes = new Uint8Array(Math.min(size, BODY_EXCERPT_BYTES));
  let at = 0;
  for (const chunk of chunks) {
    const part = chunk.subarray(0, bytes.length - at);
    bytes.set(part, at);
    at += part.length;
    if (at >= bytes.length) break;
  }
  return new TextDecoder().decode(bytes);
}

/** One HTTP attempt: signed, no redirects followed, cut off after the timeout. */
async function send(
  deps: DeliveryDeps,
  url: string,
  headers: Record<string, string>,
  body: string,
  now: Date,
): Promise<Sent> {
  const verdict = await checkWebhookTarget(url, { allowLoopback: deps.config.allowLoopback, resolve: deps.resolve });
  if (!verdict.ok) return { status: null, body: null, error: "url_refused" };
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), deps.config.timeoutMs);
  try {
    const res = await deps.fetch(verdict.url, {
      method: "POST",
      headers,
      body,
      // A redirect could lead anywhere (a private address included): it is a failed attempt.
      redirect: "manual",
      signal: controller.signal,
    });
    if (res.status >= 300 && res.status < 400) {
      await res.body?.cancel().catch(() => {});
      return { status: null, body: null, error: "redirect" };
    }
    const text = await excerpt(res);
    return {
      status: res.status,
      body: text,
      retryAfter: parseRetryAfter(res.headers.get("Retry-After"), now),
      error: null,
    };
  } catch {
    return { status: null, body: null, error: controller.signal.aborted ? "timeout" : "network" };
  } finally {
    clearTimeout(timer);
  }
}

/** The secrets that sign now: the current one, and the previous one for a day after a rotation. */
async function signingSecrets(deps: DeliveryDeps, endpoint: store.AttemptTarget["endpoint"], now: Date) {
  const secrets = [await deps.secrets.open(endpoint.secretSealed)];
  if (endpoint.previousSecretSealed && (endpoint.previousSecretExpiresAt?.getTime() ?? 0) > now.getTime()) {
    secrets.push(await deps.secrets.open(endpoint.previousSecretSealed));
  }
  return secrets;
}

export type AttemptResult =
  | "sent"
  | "failed"
  | "retry_scheduled"
  | "disabled"
  | "not_yet"
  | "duplicate"
  | "in_flight"
  | "gone";

export interface AttemptOutcome {
  result: AttemptResult;
  /** `retry_scheduled`: the wait before the next attempt; `in_flight`: when the other copy's lease ends. */
  retryInSeconds?: number;
}

type AttemptMessage = Extract<WebhookMessage, { kind: "attempt" }>;

/**
 * Sends at once per batch. Production Workers hold 6 connections open per invocation and queue
 * the rest; with as many lanes, no attempt's 15 s runs while it waits for a connection.
 */
export const SEND_LANES = 6;

/**
 * The lease a batch of `count` attempts takes: every attempt of the batch is claimed at its
 * start, and the last lane's last attempt may wait behind others that each ran to the timeout
 * (after a name lookup that ran to its own).
 */
export function leaseFor(count: number, timeoutMs: number): number {
  return Math.max(MIN_LEASE_MS, Math.ceil(count / SEND_LANES) * (timeoutMs + RESOLVE_TIMEOUT_MS) + 30_000);
}

/** Runs `work` on every item, `lanes` at a time; answers the results in order. */
async function inLanes<T, R>(items: readonly T[], lanes: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await work(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(lanes, items.length) }, lane));
  return out;
}

/** Why a message could not take its attempt: a copy, an attempt under way, or one not due yet. */
function notClaimed(
  target: store.AttemptTarget,
  message: AttemptMessage,
  now: Date,
  later: { body: WebhookMessage; delaySeconds: number }[],
): AttemptOutcome {
  const { delivery } = target;
  if (delivery.status !== "pending" || delivery.attempts >= message.attempt) return { result: "duplicate" };
  if (delivery.leaseUntil && delivery.leaseUntil > now) {
    // The same attempt is under way elsewhere; if that copy dies, this one takes over.
    return { result: "in_flight", retryInSeconds: Math.ceil((delivery.leaseUntil.getTime() - now.getTime()) / 1000) };
  }
  if (delivery.nextAttemptAt && delivery.nextAttemptAt.getTime() > now.getTime()) {
    // Early: a wait longer than a queue message holds, or a clock ahead. It waits the rest.
    const rest = Math.ceil((delivery.nextAttemptAt.getTime() - now.getTime()) / 1000);
    later.push({ body: message, delaySeconds: Math.min(rest, MAX_QUEUE_DELAY_SECONDS) });
    return { result: "not_yet" };
  }
  // An attempt number the delivery has not reached: dropped.
  return { result: "duplicate" };
}

/**
 * A batch of `attempt` messages: each makes attempt `attempt` of its delivery, once however
 * often the message comes (a lease and the attempt count decide), and a failure queues the next
 * attempt on the schedule. 2xx succeeds; 410 fails for good and disables the endpoint;
 * anything else, a redirect, no answer within the timeout or a refused URL is a failed
 * attempt. The batch shares two D1 round trips (the claims, the records) and sends
 * `SEND_LANES` requests at a time. Answers each message's outcome, in order.
 */
export async function attemptDeliveries(
  deps: DeliveryDeps,
  messages: readonly AttemptMessage[],
): Promise<AttemptOutcome[]> {
  const now = deps.now();
  const { claimed, targets } = await store.claimAttempts(
    deps.db,
    messages.map((m) => ({ deliveryId: m.delivery_id, attempt: m.attempt })),
    now,
    leaseFor(messages.length, deps.config.timeoutMs),
  );
  const outcomes: AttemptOutcome[] = new Array(messages.length);
  const later: { body: WebhookMessage; delaySeconds: number }[] = [];
  const unsent: string[] = [];
  const jobs: { index: number; message: AttemptMessage; target: store.AttemptTarget }[] = [];
  messages.forEach((message, index) => {
    const target = targets.get(message.delivery_id);
    if (!target) outcomes[index] = { result: "gone" };
    else if (!claimed[index]) outcomes[index] = notClaimed(target, message, now, later);
    else if (!target.endpoint.enabled) {
      unsent.push(message.delivery_id);
      outcomes[index] = { result: "disabled" };
    } else jobs.push({ index, message, target });
  });

  // A host is resolved once per batch, however many of its endpoints the batch reaches.
  const lookups = new Map<string, Promise<Resolution>>();
  const batchDeps: DeliveryDeps = {
    ...deps,
    resolve: (name) => {
      const known = lookups.get(name);
      if (known) return known;
      const lookup = deps.resolve(name);
      lookups.set(name, lookup);
      return lookup;
    },
  };
  const sent = await inLanes(jobs, SEND_LANES, async ({ target }) => {
    // Signed when it leaves, not when the batch began: a receiver's tolerance for the
    // timestamp (5 minutes in the reference verifiers) must not be spent waiting for a lane.
    const at = deps.now();
    const started = Date.now();
    const headers = {
      "Content-Type": "application/json",
      "User-Agent": "CloudTube-Webhooks/1.0",
      "webhook-id": target.delivery.eventId,
      "webhook-timestamp": String(Math.floor(at.getTime() / 1000)),
      "webhook-signature": signatureHeader(
        await signingSecrets(deps, target.endpoint, at),
        target.delivery.eventId,
        at,
        target.payload,
      ),
    };
    const answer = await send(batchDeps, target.endpoint.url, headers, target.payload, at);
    return { answer, at, durationMs: Date.now() - started };
  });

  const writes: store.AttemptWrite[] = [];
  const gone = new Set<string>();
  const retries = new Map<string, { body: WebhookMessage; delaySeconds: number }>();
  jobs.forEach(({ index, message, target }, j) => {
    const { answer, at, durationMs } = sent[j] as { answer: Sent; at: Date; durationMs: number };
    const record = {
      deliveryId: message.delivery_id,
      attempt: message.attempt,
      at,
      durationMs,
      responseStatus: answer.status,
      responseBody: answer.body,
      error: answer.error,
    };
    if (answer.status !== null && answer.status >= 200 && answer.status < 300) {
      writes.push({ record, outcome: { status: "succeeded", nextAttemptAt: null } });
      outcomes[index] = { result: "sent" };
      return;
    }
    const next = message.attempt + 1;
    if (answer.status === 410 || message.final || next > MAX_ATTEMPTS) {
      writes.push({ record, outcome: { status: "failed", nextAttemptAt: null } });
      if (answer.status === 410) gone.add(target.endpoint.id);
      outcomes[index] = { result: "failed" };
      return;
    }
    const wait = retryDelaySeconds(next, deps.random, answer.status === null ? undefined : answer.retryAfter);
    writes.push({ record, outcome: { status: "pending", nextAttemptAt: new Date(at.getTime() + wait * 1000) } });
    retries.set(message.delivery_id, {
      body: { kind: "attempt", delivery_id: message.delivery_id, attempt: next },
      delaySeconds: Math.min(wait, MAX_QUEUE_DELAY_SECONDS),
    });
    outcomes[index] = { result: "retry_scheduled", retryInSeconds: wait };
  });

  const moved = await store.recordAttempts(deps.db, writes, [...gone], unsent, now);
  for (const endpointId of gone) log("warn", "webhook endpoint answered 410: disabled", { webhook_id: endpointId });
  // The next attempts, for the deliveries this batch moved on (a lease outlived schedules nothing).
  const follow = [...later, ...[...retries].filter(([id]) => moved.has(id)).map(([, m]) => m)];
  for (let i = 0; i < follow.length; i += SEND_BATCH) await deps.queue.sendBatch(follow.slice(i, i + SEND_BATCH));
  return outcomes;
}

/** One attempt message on its own (what a batch of one does). */
export async function attemptDelivery(deps: DeliveryDeps, message: AttemptMessage): Promise<AttemptOutcome> {
  return (await attemptDeliveries(deps, [message]))[0] as AttemptOutcome;
}

/** The cron: queues again the attempts whose message was lost, and forgets events older than 30 days. */
export async function sweepDeliveries(deps: DeliveryDeps) {
  const now = deps.now();
  const overdue = await store.overdueDeliveries(deps.db, new Date(now.getTime() - 10 * 60_000), now, 500);
  for (let i = 0; i < overdue.length; i += SEND_BATCH) {
    await deps.queue.sendBatch(
      overdue
        .slice(i, i + SEND_BATCH)
        .map((d) => ({ body: { kind: "attempt", delivery_id: d.id, attempt: d.attempts + 1 } as const })),
    );
  }
  await store.pruneEvents(deps.db, new Date(now.getTime() - 30 * 86_400_000));
  return overdue.length;
}
