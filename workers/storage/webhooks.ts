import { and, count, desc, eq, sql } from "drizzle-orm";
import type { Database } from "../env";
import {
  type WebhookDelivery,
  type WebhookEndpoint,
  webhookAttempts,
  webhookDeliveries,
  webhookEndpoints,
  webhookEvents,
} from "./schema";

/** Every query on the webhook tables: endpoints, events, deliveries and their attempts. */

// Endpoints.

export async function insertEndpoint(db: Database, row: typeof webhookEndpoints.$inferInsert) {
  await db.insert(webhookEndpoints).values(row);
}

export async function findEndpoint(db: Database, endpointId: string): Promise<WebhookEndpoint | undefined> {
  return db.select().from(webhookEndpoints).where(eq(webhookEndpoints.id, endpointId)).get();
}

export async function listEndpoints(db: Database, userId: string) {
  return db
    .select()
    .from(webhookEndpoints)
    .where(eq(webhookEndpoints.userId, userId))
    .orderBy(desc(webhookEndpoints.createdAt), desc(webhookEndpoints.id))
    .all();
}

export async function countEndpoints(db: Database, userId: string): Promise<number> {
  const row = await db.select({ n: count() }).from(webhookEndpoints).where(eq(webhookEndpoints.userId, userId)).get();
  return row?.n ?? 0;
}

export type EndpointEdit = Partial<
  Pick<
    WebhookEndpoint,
    | "url"
    | "events"
    | "description"
    | "enabled"
    | "disabledReason"
    | "secretSealed"
    | "previousSecretSealed"
    | "previousSecretExpiresAt"
  >
>;

export async function updateEndpoint(db: Database, endpointId: string, edit: EndpointEdit, now: Date) {
  await db
    .update(webhookEndpoints)
    .set({ ...edit, updatedAt: now })
    .where(eq(webhookEndpoints.id, endpointId));
}

/** Deletes an endpoint; its deliveries and their attempts cascade. */
export async function deleteEndpoint(db: Database, endpointId: string) {
  await db.delete(webhookEndpoints).where(eq(webhookEndpoints.id, endpointId));
}

// Events.

/**
 * Records an event once (its id says what happened, so a producer that runs again finds the
 * row it made), and only when its user has an enabled endpoint that hears it (or, for a test
 * event, that endpoint): most events on the platform concern nobody's webhook and cost one
 * read. Answers whether the event exists and still has to be fanned out.
 */
export async function recordEvent(
  db: Database,
  event: { id: string; userId: string; type: string; payload: string; endpointId?: string; createdAt: Date },
): Promise<{ exists: boolean; fannedOut: boolean }> {
  const d1 = db.$client;
  const [, found] = await d1.batch<{ fanned_out_at: number | null }>([
    d1
      .prepare(
        `INSERT INTO webhook_events (id, user_id, type, payload, endpoint_id, created_at)
         SELECT ?1, ?2, ?3, ?4, ?5, ?6
         WHERE EXISTS (SELECT 1 FROM webhook_endpoints e WHERE e.user_id = ?2 AND e.enabled = 1
           AND (CASE WHEN ?5 IS NOT NULL THEN e.id = ?5
                ELSE EXISTS (SELECT 1 FROM json_each(e.events) WHERE value = ?3) END))
         ON CONFLICT (id) DO NOTHING`,
      )
      .bind(event.id, event.userId, event.type, event.payload, event.endpointId ?? null, event.createdAt.getTime()),
    d1.prepare("SELECT fanned_out_at FROM webhook_events WHERE id = ?").bind(event.id),
  ]);
  const row = found?.results[0];
  return { exists: !!row, fannedOut: row?.fanned_out_at != null };
}

/**
 * Makes the event's deliveries (one per endpoint of its user that was enabled, existed when it
 * happened and hears it; a test event's one endpoint) and answers those not yet attempted.
 * Idempotent: a delivery per (endpoint, event) at most.
 */
export async function fanOut(db: Database, eventId: string, now: Date): Promise<string[]> {
  const d1 = db.$client;
  const [, pending] = await d1.batch<{ id: string }>([
    d1
      .prepare(
        `INSERT INTO webhook_deliveries (id, endpoint_id, event_id, type, status, attempts, next_attempt_at, created_at, updated_at)
         SELECT lower(hex(randomblob(12))), e.id, ev.id, ev.type, 'pending', 0, ?2, ?2, ?2
         FROM webhook_events ev JOIN webhook_endpoints e ON e.user_id = ev.user_id
         WHERE ev.id = ?1 AND e.enabled = 1 AND e.created_at <= ev.created_at
           AND (CASE WHEN ev.endpoint_id IS NOT NULL THEN e.id = ev.endpoint_id
                ELSE EXISTS (SELECT 1 FROM json_each(e.events) WHERE value = ev.type) END)
         ON CONFLICT (endpoint_id, event_id) DO NOTHING`,
      )
      .bind(eventId, now.getTime()),
    d1
      .prepare(
        "SELECT id FROM webhook_deliveries WHERE event_id = ? AND status = 'pending' AND attempts = 0 AND lease_until IS NULL",
      )
      .bind(eventId),
  ]);
  return (pending?.results ?? []).map((r) => r.id);
}

export async function markFannedOut(db: Database, eventId: string, now: Date) {
  await db.update(webhookEvents).set({ fannedOutAt: now }).where(eq(webhookEvents.id, eventId));
}

// Attempts.

export interface AttemptTarget {
  delivery: Pick<WebhookDelivery, "id" | "status" | "attempts" | "nextAttemptAt" | "leaseUntil" | "eventId">;
  endpoint: Pick<
    WebhookEndpoint,
    "id" | "url" | "enabled" | "secretSealed" | "previousSecretSealed" | "previousSecretExpiresAt"
  >;
  payload: string;
}

interface TargetRow {
  id: string;
  status: WebhookDelivery["status"];
  attempts: number;
  next_attempt_at: number | null;
  lease_until: number | null;
  event_id: string;
  endpoint_id: string;
  url: string;
  enabled: number;
  secret_sealed: string;
  previous_secret_sealed: string | null;
  previous_secret_expires_at: number | null;
  payload: string;
}

const date = (ms: number | null) => (ms === null ? null : new Date(ms));

const targetOf = (row: TargetRow): AttemptTarget => ({
  delivery: {
    id: row.id,
    status: row.status,
    attempts: row.attempts,
    nextAttemptAt: date(row.next_attempt_at),
    leaseUntil: date(row.lease_until),
    eventId: row.event_id,
  },
  endpoint: {
    id: row.endpoint_id,
    url: row.url,
    enabled: row.enabled === 1,
    secretSealed: row.secret_sealed,
    previousSecretSealed: row.previous_secret_sealed,
    previousSecretExpiresAt: date(row.previous_secret_expires_at),
  },
  payload: row.payload,
});

/**
 * Takes attempts (`attempt` of each delivery) for a batch of messages: a lease each, so that a
 * second copy of a message (queues deliver at least once) does not send it too. Granted only
 * while the delivery is pending, the attempt is its next one, its time has come (a second of
 * slack for clocks) and no other lease holds. One round trip for the whole batch, two
 * statements whatever its size: the claims (one UPDATE over the batch's JSON), then what every
 * delivery, its endpoint and its payload are now. Of two copies of one attempt in a batch, the
 * first is granted.
 */
export async function claimAttempts(
  db: Database,
  claims: readonly { deliveryId: string; attempt: number }[],
  now: Date,
  leaseMs: number,
): Promise<{ claimed: boolean[]; targets: Map<string, AttemptTarget> }> {
  if (!claims.length) return { claimed: [], targets: new Map() };
  const d1 = db.$client;
  const t = now.getTime();
  const wanted = JSON.stringify(claims.map((c) => ({ d: c.deliveryId, a: c.attempt })));
  const ids = JSON.stringify([...new Set(claims.map((c) => c.deliveryId))]);
  const [claim, read] = await d1.batch<Record<string, unknown>>([
    // The IN finds the rows by primary key; the EXISTS matches each row's own attempt number.
    d1
      .prepare(
        `UPDATE webhook_deliveries SET lease_until = ?4
         WHERE id IN (SELECT value FROM json_each(?2))
           AND EXISTS (SELECT 1 FROM json_each(?1) j
                       WHERE j.value ->> 'd' = webhook_deliveries.id AND j.value ->> 'a' = webhook_deliveries.attempts + 1)
           AND status = 'pending'
           AND (next_attempt_at IS NULL OR next_attempt_at <= ?3 + 1000)
           AND (lease_until IS NULL OR lease_until <= ?3)
         RETURNING id, attempts`,
      )
      .bind(wanted, ids, t, t + leaseMs),
    d1
      .prepare(
        `SELECT d.id, d.status, d.attempts, d.next_attempt_at, d.lease_until, d.event_id, e.id AS endpoint_id,
                e.url, e.enabled, e.secret_sealed, e.previous_secret_sealed, e.previous_secret_expires_at, ev.payload
         FROM webhook_deliveries d
         JOIN webhook_endpoints e ON e.id = d.endpoint_id
         JOIN webhook_events ev ON ev.id = d.event_id
         WHERE d.id IN (SELECT value FROM json_each(?))`,
      )
      .bind(ids),
  ]);
  // "<delivery> <attempt>" of each lease granted; the first message asking for it takes it.
  const granted = new Set(
    ((claim?.results ?? []) as { id: string; attempts: number }[]).map((r) => `${r.id} ${r.attempts + 1}`),
  );
  const claimed = claims.map((c) => granted.delete(`${c.deliveryId} ${c.attempt}`));
  const rows = (read?.results ?? []) as unknown as TargetRow[];
  return { claimed, targets: new Map(rows.map((row) => [row.id, targetOf(row)])) };
}

export interface AttemptRecord {
  deliveryId: string;
  attempt: number;
  at: Date;
  durationMs: number;
  responseStatus: number | null;
  responseBody: string | null;
  error: string | null;
}

export interface AttemptWrite {
  record: AttemptRecord;
  outcome: { status: WebhookDelivery["status"]; nextAttemptAt: Date | null };
}

/**
 * Stores a batch's attempts and what each means for its delivery (succeeded, failed for good,
 * or pending until `nextAttemptAt`; the lease goes with it), turns off the endpoints that
 * answered 410, and fails the deliveries whose endpoint was off: one batch, one round trip,
 * four statements whatever the batch's size (each reads the batch from one JSON parameter).
 * Answers the deliveries it moved on; one that had moved on meanwhile (a lease outlived) is
 * left alone, and its caller schedules nothing for it.
 */
export async function recordAttempts(
  db: Database,
  writes: readonly AttemptWrite[],
  goneEndpoints: readonly string[],
  unsent: readonly string[],
  now: Date,
): Promise<Set<string>> {
  if (!writes.length && !goneEndpoints.length && !unsent.length) return new Set();
  const d1 = db.$client;
  const rows = JSON.stringify(
    writes.map(({ record, outcome }) => ({
      d: record.deliveryId,
      a: record.attempt,
      at: record.at.getTime(),
      ms: record.durationMs,
      rs: record.responseStatus,
      rb: record.responseBody,
      e: record.error,
      s: outcome.status,
      n: outcome.nextAttemptAt?.getTime() ?? null,
    })),
  );
  const t = now.getTime();
  const [, moved] = await d1.batch<{ id: string }>([
    // `WHERE true`: an INSERT ... SELECT with an upsert needs a WHERE for SQLite to parse the ON.
    d1
      .prepare(
        `INSERT INTO webhook_attempts (delivery_id, attempt, at, duration_ms, response_status, response_body, error)
         SELECT j.value ->> 'd', j.value ->> 'a', j.value ->> 'at', j.value ->> 'ms', j.value ->> 'rs', j.value ->> 'rb', j.value ->> 'e'
         FROM json_each(?1) j WHERE true
         ON CONFLICT (delivery_id, attempt) DO UPDATE SET
           at = excluded.at, duration_ms = excluded.duration_ms, response_status = excluded.response_status,
           response_body = excluded.response_body, error = excluded.error`,
      )
      .bind(rows),
    // Only a delivery still at the attempt before this one moves on.
    d1
      .prepare(
        `UPDATE webhook_deliveries SET
           attempts = j.value ->> 'a', status = j.value ->> 's', response_status = j.value ->> 'rs',
           next_attempt_at = j.value ->> 'n', lease_until = NULL, updated_at = j.value ->> 'at'
         FROM json_each(?1) j
         WHERE webhook_deliveries.id = j.value ->> 'd' AND webhook_deliveries.attempts = (j.value ->> 'a') - 1
         RETURNING webhook_deliveries.id AS id`,
      )
      .bind(rows),
    d1
      .prepare(
        "UPDATE webhook_endpoints SET enabled = 0, disabled_reason = 'gone', updated_at = ?2 WHERE id IN (SELECT value FROM json_each(?1))",
      )
      .bind(JSON.stringify(goneEndpoints), t),
    d1
      .prepare(
        `UPDATE webhook_deliveries SET status = 'failed', next_attempt_at = NULL, lease_until = NULL, updated_at = ?2
         WHERE id IN (SELECT value FROM json_each(?1)) AND status = 'pending'`,
      )
      .bind(JSON.stringify(unsent), t),
  ]);
  return new Set((moved?.results ?? []).map((r) => r.id));
}

// The deliveries log.

export async function listDeliveries(db: Database, endpointId: string, offset: number, limit: number) {
  return db
    .select()
    .from(webhookDeliveries)
    .where(eq(webhookDeliveries.endpointId, endpointId))
    .orderBy(desc(webhookDeliveries.createdAt), desc(webhookDeliveries.id))
    .limit(limit)
    .offset(offset)
    .all();
}

export async function findDelivery(db: Database, deliveryId: string) {
  return db
    .select({ delivery: webhookDeliveries, payload: webhookEvents.payload })
    .from(webhookDeliveries)
    .innerJoin(webhookEvents, eq(webhookEvents.id, webhookDeliveries.eventId))
    .where(eq(webhookDeliveries.id, deliveryId))
    .get();
}

export async function listAttempts(db: Database, deliveryId: string) {
  return db
    .select()
    .from(webhookAttempts)
    .where(eq(webhookAttempts.deliveryId, deliveryId))
    .orderBy(webhookAttempts.attempt)
    .all();
}

/** A manual retry: pending again, due now. Answers the delivery as it was. */
export async function requeueDelivery(db: Database, deliveryId: string, now: Date) {
  const before = await db.select().from(webhookDeliveries).where(eq(webhookDeliveries.id, deliveryId)).get();
  if (!before) return undefined;
  await db
    .update(webhookDeliveries)
    .set({ status: "pending", nextAttemptAt: now, updatedAt: now })
    .where(eq(webhookDeliveries.id, deliveryId));
  return before;
}

// Upkeep (the cron).

/**
 * Pending deliveries whose attempt is long overdue and not under way: their message was lost
 * (a consumer that stored an attempt but died before queueing the next). The cron queues them again.
 */
export async function overdueDeliveries(db: Database, before: Date, now: Date, limit: number) {
  return db
    .select({ id: webhookDeliveries.id, attempts: webhookDeliveries.attempts })
    .from(webhookDeliveries)
    .where(
      and(
        eq(webhookDeliveries.status, "pending"),
        sql`${webhookDeliveries.nextAttemptAt} < ${before.getTime()}`,
        sql`(${webhookDeliveries.leaseUntil} IS NULL OR ${webhookDeliveries.leaseUntil} < ${now.getTime()})`,
      ),
    )
    .limit(limit)
    .all();
}

/** Forgets events (and their deliveries and attempts, by cascade) older than `before`. */
export async function pruneEvents(db: Database, before: Date) {
  await db.delete(webhookEvents).where(sql`${webhookEvents.createdAt} < ${before.getTime()}`);
}
