import type { Database } from "../env";
import { log } from "../lib/log";
import type { SecretBox } from "../lib/secret-box";
import { signatureHeader } from "../lib/webhook-signing";
import { checkWebhookUrl } from "../lib/webhook-url";
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
/** An attempt's lease: past the timeout, so a second copy of a message never sends while the first waits. */
const LEASE_MS = 60_000;
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
      pending.slice(i, i + SEND_BATCH).map((id) => ({ kind: "attempt", delivery_id: id, attempt: 1 }) as const),
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
  const verdict = checkWebhookUrl(url, { allowLoopback: deps.config.allowLoopback });
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

/**
 * An `attempt` message: makes attempt `attempt` of the delivery, once, however often the
 * message comes (a lease and the attempt count decide), and queues the next on the schedule
 * after a failure. 2xx succeeds; 410 fails for good and disables the endpoint; anything else,
 * a redirect, no answer within the timeout or a refused URL is a failed attempt. Answers what
 * happened, or throws to have the message tried again (an attempt still under way elsewhere).
 */
export async function attemptDelivery(
  deps: DeliveryDeps,
  message: Extract<WebhookMessage, { kind: "attempt" }>,
): Promise<{ result: AttemptResult; retryInSeconds?: number }> {
  const now = deps.now();
  const { claimed, target } = await store.claimAttempt(deps.db, message.delivery_id, message.attempt, now, LEASE_MS);
  if (!target) return { result: "gone" };
  const { delivery, endpoint } = target;
  if (!claimed) {
    if (delivery.status !== "pending" || delivery.attempts >= message.attempt) return { result: "duplicate" };
    if (delivery.leaseUntil && delivery.leaseUntil > now) {
      // The same attempt is under way elsewhere; if that copy dies, this one takes over.
      return { result: "in_flight", retryInSeconds: Math.ceil((delivery.leaseUntil.getTime() - now.getTime()) / 1000) };
    }
    if (delivery.nextAttemptAt && delivery.nextAttemptAt.getTime() > now.getTime()) {
      // Early: a wait longer than a queue message can hold, or a clock ahead. Wait the rest.
      const rest = Math.ceil((delivery.nextAttemptAt.getTime() - now.getTime()) / 1000);
      await deps.queue.send(message, { delaySeconds: Math.min(rest, MAX_QUEUE_DELAY_SECONDS) });
      return { result: "not_yet" };
    }
    // An attempt number from the future (the delivery has not reached it): drop it.
    return { result: "duplicate" };
  }
  if (!endpoint.enabled) {
    await store.failUnsent(deps.db, delivery.id, now);
    return { result: "disabled" };
  }
  const timestamp = now;
  const headers = {
    "Content-Type": "application/json",
    "User-Agent": "CloudTube-Webhooks/1.0",
    "webhook-id": delivery.eventId,
    "webhook-timestamp": String(Math.floor(timestamp.getTime() / 1000)),
    "webhook-signature": signatureHeader(
      await signingSecrets(deps, endpoint, now),
      delivery.eventId,
      timestamp,
      target.payload,
    ),
  };
  const started = Date.now();
  const sent = await send(deps, endpoint.url, headers, target.payload, now);
  const record = {
    deliveryId: delivery.id,
    attempt: message.attempt,
    at: now,
    durationMs: Date.now() - started,
    responseStatus: sent.status,
    responseBody: sent.body,
    error: sent.error,
  };
  if (sent.status !== null && sent.status >= 200 && sent.status < 300) {
    await store.recordAttempt(deps.db, record, { status: "succeeded", nextAttemptAt: null });
    return { result: "sent" };
  }
  if (sent.status === 410) {
    await store.recordAttempt(deps.db, record, { status: "failed", nextAttemptAt: null });
    await store.disableGone(deps.db, endpoint.id, now);
    log("warn", "webhook endpoint answered 410: disabled", { webhook_id: endpoint.id, delivery_id: delivery.id });
    return { result: "failed" };
  }
  const next = message.attempt + 1;
  if (message.final || next > MAX_ATTEMPTS) {
    await store.recordAttempt(deps.db, record, { status: "failed", nextAttemptAt: null });
    return { result: "failed" };
  }
  const wait = retryDelaySeconds(next, deps.random, sent.status === null ? undefined : sent.retryAfter);
  const nextAttemptAt = new Date(now.getTime() + wait * 1000);
  if (await store.recordAttempt(deps.db, record, { status: "pending", nextAttemptAt })) {
    await deps.queue.send(
      { kind: "attempt", delivery_id: delivery.id, attempt: next },
      { delaySeconds: Math.min(wait, MAX_QUEUE_DELAY_SECONDS) },
    );
  }
  return { result: "retry_scheduled", retryInSeconds: wait };
}

/** The cron: queues again the attempts whose message was lost, and forgets events older than 30 days. */
export async function sweepDeliveries(deps: DeliveryDeps) {
  const now = deps.now();
  const overdue = await store.overdueDeliveries(deps.db, new Date(now.getTime() - 10 * 60_000), now, 500);
  for (let i = 0; i < overdue.length; i += SEND_BATCH) {
    await deps.queue.sendBatch(
      overdue
        .slice(i, i + SEND_BATCH)
        .map((d) => ({ kind: "attempt", delivery_id: d.id, attempt: d.attempts + 1 }) as const),
    );
  }
  await store.pruneEvents(deps.db, new Date(now.getTime() - 30 * 86_400_000));
  return overdue.length;
}
