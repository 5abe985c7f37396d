import { z } from "@hono/zod-openapi";
import { Id, PageQuery, Timestamp } from "./common";

/** The events an endpoint may hear (API.md "Webhooks"). */
export const WEBHOOK_EVENTS = [
  "video.ready",
  "video.failed",
  "video.deleted",
  "video.blocked",
  "video.captions_ready",
  "comment.created",
  "comment.held",
] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENTS)[number];
/** Sent by "Send a test event" to one endpoint, whatever it hears. */
export const TEST_EVENT = "webhook.test";

const EventType = z.enum(WEBHOOK_EVENTS);
const Url = z.string().trim().max(2000, "must be at most 2,000 characters").openapi({ format: "uri" });
const Events = z
  .array(EventType)
  .min(1, "must name at least one event")
  .max(WEBHOOK_EVENTS.length)
  .transform((events) => [...new Set(events)]);
const Description = z.string().trim().max(500, "must be at most 500 characters");

export const WebhookParams = z.object({ webhook_id: Id.openapi({ param: { name: "webhook_id", in: "path" } }) });
export const DeliveryParams = WebhookParams.extend({
  delivery_id: Id.openapi({ param: { name: "delivery_id", in: "path" } }),
});

export const WebhookBody = z
  .object({ url: Url, events: Events, description: Description.optional() })
  .openapi("WebhookBody");
export type WebhookBody = z.infer<typeof WebhookBody>;

export const WebhookEditBody = z
  .object({
    url: Url.optional(),
    events: Events.optional(),
    description: Description.optional(),
    enabled: z.boolean().optional(),
  })
  .openapi("WebhookEditBody");
export type WebhookEditBody = z.infer<typeof WebhookEditBody>;

export const WebhookOut = z
  .object({
    id: Id,
    url: z.string(),
    events: z.array(EventType),
    description: z.string(),
    enabled: z.boolean(),
    /** Why it is off: `disabled` (its owner) or `gone` (it answered 410). */
    disabled_reason: z.enum(["disabled", "gone"]).nullable(),
    created_at: Timestamp,
    updated_at: Timestamp,
  })
  .openapi("Webhook");
export type WebhookOut = z.infer<typeof WebhookOut>;

/** Answered once, at creation: the only time the secret is shown. */
export const WebhookCreated = WebhookOut.extend({
  secret: z
    .string()
    .openapi({ description: "`whsec_` + base64; shown this once", example: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw" }),
}).openapi("WebhookCreated");

export const WebhookList = z.object({ items: z.array(WebhookOut) }).openapi("WebhookList");

export const RotatedSecret = z
  .object({
    secret: z.string(),
    previous_secret_expires_at: Timestamp.openapi({ description: "Until then the previous secret signs too" }),
  })
  .openapi("RotatedSecret");

export const DeliveriesQuery = PageQuery;

export const DeliveryOut = z
  .object({
    id: Id,
    event_id: Id,
    type: z.string(),
    status: z.enum(["pending", "succeeded", "failed"]),
    attempts: z.number().int(),
    response_status: z.number().int().nullable().openapi({ description: "The last attempt's" }),
    next_attempt_at: Timestamp.nullable(),
    created_at: Timestamp,
  })
  .openapi("WebhookDelivery");
export type DeliveryOut = z.infer<typeof DeliveryOut>;

export const DeliveryList = z
  .object({ items: z.array(DeliveryOut), page: z.number().int(), limit: z.number().int() })
  .openapi("WebhookDeliveryList");

export const AttemptOut = z
  .object({
    attempt: z.number().int(),
    at: Timestamp,
    duration_ms: z.number().int(),
    response_status: z.number().int().nullable(),
    response_body: z.string().nullable().openapi({ description: "The first KiB of the answer" }),
    error: z.enum(["timeout", "redirect", "network", "url_refused"]).nullable(),
  })
  .openapi("WebhookAttempt");

export const DeliveryDetail = DeliveryOut.extend({
  payload: z.string().openapi({ description: "The body sent, exactly" }),
  attempt_log: z.array(AttemptOut),
}).openapi("WebhookDeliveryDetail");

export const RetryAccepted = z.object({ delivery_id: Id, event_id: Id }).openapi("WebhookRetryAccepted");
export const TestAccepted = z.object({ event_id: Id }).openapi("WebhookTestAccepted");

/**
 * `webhook-deliveries` messages: an event to fan out to its user's endpoints, or one attempt
 * of one delivery. `final`: a manual retry of a delivery that had ended, which does not start
 * the retry schedule again.
 */
export const WebhookMessage = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("event"), event_id: Id }),
  z.object({
    kind: z.literal("attempt"),
    delivery_id: Id,
    attempt: z.number().int().min(1),
    final: z.boolean().optional(),
  }),
]);
export type WebhookMessage = z.infer<typeof WebhookMessage>;
