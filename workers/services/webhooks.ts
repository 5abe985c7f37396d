import type { AuthUser, Database } from "../env";
import { forbidden, notFound, problem, validationFailed } from "../lib/errors";
import { newId } from "../lib/ids";
import type { SecretBox } from "../lib/secret-box";
import { newWebhookSecret } from "../lib/webhook-signing";
import { checkWebhookTarget, type Resolution } from "../lib/webhook-url";
import type { BatchProducer } from "../schemas/queues";
import {
  type DeliveryOut,
  TEST_EVENT,
  type WebhookBody,
  type WebhookEditBody,
  type WebhookEventType,
  type WebhookMessage,
  type WebhookOut,
} from "../schemas/webhooks";
import type { WebhookDelivery, WebhookEndpoint } from "../storage/schema";
import * as store from "../storage/webhooks";

/** Both secrets sign for this long after a rotation (API.md), so receivers can switch without a gap. */
export const ROTATION_OVERLAP_MS = 24 * 3600 * 1000;

export interface WebhookConfig {
  /** WEBHOOK_ALLOW_LOOPBACK: `http://127.0.0.1` and `http://localhost` are allowed too (local only). */
  allowLoopback: boolean;
  /** WEBHOOK_MAX_ENDPOINTS: endpoints per user. */
  maxEndpoints: number;
}

export interface WebhookDeps {
  db: Database;
  /** Seals endpoint secrets at rest (AES-GCM under a key derived from SIGNING_SECRET). */
  secrets: SecretBox;
  queue: BatchProducer<WebhookMessage>;
  config: WebhookConfig;
  /** A host name's addresses (DNS over HTTPS, WEBHOOK_DNS_URL): an endpoint's name must resolve to public ones. */
  resolve(name: string): Promise<Resolution>;
}

const badUrl = (reason: string) =>
  validationFailed([{ name: "url", reason }], "This URL cannot receive webhooks from this platform.");

async function checkedUrl(deps: WebhookDeps, url: string): Promise<string> {
  const verdict = await checkWebhookTarget(url, { allowLoopback: deps.config.allowLoopback, resolve: deps.resolve });
  if (!verdict.ok) throw badUrl(verdict.reason);
  return verdict.url;
}

export function toWebhook(endpoint: WebhookEndpoint): WebhookOut {
  return {
    id: endpoint.id,
    url: endpoint.url,
    events: endpoint.events as WebhookEventType[],
    description: endpoint.description,
    enabled: endpoint.enabled,
    disabled_reason: endpoint.enabled ? null : endpoint.disabledReason === "gone" ? "gone" : "disabled",
    created_at: endpoint.createdAt.toISOString(),
    updated_at: endpoint.updatedAt.toISOString(),
  };
}

/** The endpoint if it is the user's: someone else's is 404 (API keys and URLs are nobody else's business). */
async function owned(db: Database, user: AuthUser, webhookId: string): Promise<WebhookEndpoint> {
  const endpoint = await store.findEndpoint(db, webhookId);
  if (!endpoint) throw notFound("Webhook");
  if (endpoint.userId !== user.id) throw forbidden("Only the webhook's owner may see or change it.");
  return endpoint;
}

/**
 * A new endpoint (API.md): a URL the platform may call, the events it hears, and a fresh
 * secret, answered this once and stored sealed.
 */
export async function createWebhook(deps: WebhookDeps, user: AuthUser, body: WebhookBody, now = new Date()) {
  const url = await checkedUrl(deps, body.url);
  if ((await store.countEndpoints(deps.db, user.id)) >= deps.config.maxEndpoints) {
    throw problem("too_many_webhooks", {
      detail: `An account may have at most ${deps.config.maxEndpoints} webhook endpoints.`,
      extra: { max: deps.config.maxEndpoints },
    });
  }
  const secret = newWebhookSecret();
  const id = newId();
  await store.insertEndpoint(deps.db, {
    id,
    userId: user.id,
    url,
    events: body.events,
    description: body.description ?? "",
    secretSealed: await deps.secrets.seal(secret),
    createdAt: now,
    updatedAt: now,
  });
  const endpoint = await store.findEndpoint(deps.db, id);
  if (!endpoint) throw notFound("Webhook");
  return { ...toWebhook(endpoint), secret };
}

export async function listWebhooks(db: Database, user: AuthUser) {
  return { items: (await store.listEndpoints(db, user.id)).map(toWebhook) };
}

export async function getWebhook(db: Database, user: AuthUser, webhookId: string) {
  return toWebhook(await owned(db, user, webhookId));
}

/** URL, events, description, on or off (a disabled endpoint may be enabled again). */
export async function editWebhook(
  deps: WebhookDeps,
  user: AuthUser,
  webhookId: string,
  edit: WebhookEditBody,
  now = new Date(),
) {
  const endpoint = await owned(deps.db, user, webhookId);
  const change: store.EndpointEdit = {};
  if (edit.url !== undefined) change.url = await checkedUrl(deps, edit.url);
  if (edit.events !== undefined) change.events = edit.events;
  if (edit.description !== undefined) change.description = edit.description;
  if (edit.enabled !== undefined) {
    change.enabled = edit.enabled;
    change.disabledReason = edit.enabled ? null : "disabled";
  }
  if (Object.keys(change).length) await store.updateEndpoint(deps.db, endpoint.id, change, now);
  return getWebhook(deps.db, user, endpoint.id);
}

export async function deleteWebhook(db: Database, user: AuthUser, webhookId: string) {
  await store.deleteEndpoint(db, (await owned(db, user, webhookId)).id);
}

/**
 * A new secret, answered once. The one it replaces keeps signing beside it for 24 hours, so a
 * receiver can move to the new one without refusing a delivery in between.
 */
export async function rotateSecret(deps: WebhookDeps, user: AuthUser, webhookId: string, now = new Date()) {
  const endpoint = await owned(deps.db, user, webhookId);
  const secret = newWebhookSecret();
  const expires = new Date(now.getTime() + ROTATION_OVERLAP_MS);
  await store.updateEndpoint(
    deps.db,
    endpoint.id,
    {
      secretSealed: await deps.secrets.seal(secret),
      previousSecretSealed: endpoint.secretSealed,
      previousSecretExpiresAt: expires,
    },
    now,
  );
  return { secret, previous_secret_expires_at: expires.toISOString() };
}

// The deliveries log.

export function toDelivery(delivery: WebhookDelivery): DeliveryOut {
  return {
    id: delivery.id,
    event_id: delivery.eventId,
    type: delivery.type,
    status: delivery.status,
    attempts: delivery.attempts,
    response_status: delivery.responseStatus,
    next_attempt_at: delivery.status === "pending" ? (delivery.nextAttemptAt?.toISOString() ?? null) : null,
    created_at: delivery.createdAt.toISOString(),
  };
}

export async function listDeliveries(
  db: Database,
  user: AuthUser,
  webhookId: string,
  query: { page: number; limit: number },
) {
  const endpoint = await owned(db, user, webhookId);
  const rows = await store.listDeliveries(db, endpoint.id, (query.page - 1) * query.limit, query.limit);
  return { items: rows.map(toDelivery), page: query.page, limit: query.limit };
}

async function ownedDelivery(db: Database, user: AuthUser, webhookId: string, deliveryId: string) {
  const endpoint = await owned(db, user, webhookId);
  const found = await store.findDelivery(db, deliveryId);
  if (!found || found.delivery.endpointId !== endpoint.id) throw notFound("Delivery");
  return { endpoint, ...found };
}

/** One delivery with the body it sends and what every attempt got back. */
export async function getDelivery(db: Database, user: AuthUser, webhookId: string, deliveryId: string) {
  const { delivery, payload } = await ownedDelivery(db, user, webhookId, deliveryId);
  const attempts = await store.listAttempts(db, delivery.id);
  return {
    ...toDelivery(delivery),
    payload,
    attempt_log: attempts.map((a) => ({
      attempt: a.attempt,
      at: a.at.toISOString(),
      duration_ms: a.durationMs,
      response_status: a.responseStatus,
      response_body: a.responseBody,
      error: a.error as "timeout" | "redirect" | "network" | "url_refused" | null,
    })),
  };
}

const disabled = () =>
  problem("webhook_disabled", { detail: "This endpoint is disabled: enable it before sending to it." });

/**
 * Sends a delivery again now, with the same `webhook-id` and body. One that had ended (succeeded
 * or failed) gets this one attempt; one still pending simply has its next attempt brought forward.
 */
export async function retryDelivery(
  deps: WebhookDeps,
  user: AuthUser,
  webhookId: string,
  deliveryId: string,
  now = new Date(),
) {
  const { endpoint } = await ownedDelivery(deps.db, user, webhookId, deliveryId);
  if (!endpoint.enabled) throw disabled();
  const before = await store.requeueDelivery(deps.db, deliveryId, now);
  if (!before) throw notFound("Delivery");
  await deps.queue.send({
    kind: "attempt",
    delivery_id: deliveryId,
    attempt: before.attempts + 1,
    ...(before.status === "pending" ? {} : { final: true }),
  });
  return { delivery_id: deliveryId, event_id: before.eventId };
}

// Events.

const encoder = new TextEncoder();

/**
 * An event's id, derived from what happened (`video.ready` + the video's id, a comment's id):
 * the same event produced twice (a queue message delivered again, a request retried) has the
 * same id, so it is recorded, and sent, once.
 */
export async function eventId(key: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", encoder.encode(key)));
  const text = btoa(String.fromCharCode(...digest.subarray(0, 18)))
    .replaceAll("+", "-")
    .replaceAll("/", "_");
  return `msg_${text}`;
}

export interface WebhookEvent {
  /** What makes it unique, e.g. `video.ready:<video id>`; hashed into the event id. */
  key: string;
  type: WebhookEventType | typeof TEST_EVENT;
  /** Whose endpoints hear it: the video's owner. */
  userId: string;
  data: Record<string, unknown>;
  at?: Date;
}

/**
 * Produces an event: recorded once per id (only when one of the user's endpoints hears it),
 * then fanned out to those endpoints through the `webhook-deliveries` queue. Safe to call again
 * for the same event: nothing is recorded or sent twice.
 */
export async function emitEvent(
  deps: Pick<WebhookDeps, "db" | "queue">,
  event: WebhookEvent,
  endpointId?: string,
): Promise<string | null> {
  const at = event.at ?? new Date();
  const id = await eventId(event.key);
  const payload = JSON.stringify({ type: event.type, timestamp: at.toISOString(), data: event.data });
  const { exists, fannedOut } = await store.recordEvent(deps.db, {
    id,
    userId: event.userId,
    type: event.type,
    payload,
    endpointId,
    createdAt: at,
  });
  if (!exists) return null;
  if (!fannedOut) await deps.queue.send({ kind: "event", event_id: id });
  return id;
}

/** "Send a test event": a `webhook.test` to this endpoint alone, whatever it hears. */
export async function sendTestEvent(deps: WebhookDeps, user: AuthUser, webhookId: string, now = new Date()) {
  const endpoint = await owned(deps.db, user, webhookId);
  if (!endpoint.enabled) throw disabled();
  const eventIdOut = await emitEvent(
    deps,
    {
      key: `${TEST_EVENT}:${endpoint.id}:${newId()}`,
      type: TEST_EVENT,
      userId: user.id,
      data: { webhook_id: endpoint.id, message: "A test event from CloudTube." },
      at: now,
    },
    endpoint.id,
  );
  if (!eventIdOut) throw disabled();
  return { event_id: eventIdOut };
}
