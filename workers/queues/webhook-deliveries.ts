import { errorField, log } from "../lib/log";
import type { WebhookMessage } from "../schemas/webhooks";
import { attemptDeliveries, fanOutEvent } from "../services/webhook-delivery";
import { databaseOf, deliveryDeps } from "../wiring/deps";
import type { Fate } from "./consume";
import { retryDelay } from "./consume";
import type { BatchHandler } from "./index";

/**
 * `webhook-deliveries`: an event fans out into one message per endpoint; each of those makes
 * one signed attempt and, when it fails, queues the next on the retry schedule. A batch of
 * attempts is handled whole, so its D1 work is two round trips, not two per message.
 * Idempotent: a delivery's attempt is made once however often its message comes.
 */
export const webhookDeliveries: BatchHandler<WebhookMessage> = {
  async batch(bodies, env) {
    const deps = deliveryDeps(env, databaseOf(env));
    const fates: Fate[] = new Array(bodies.length);
    const attempts: { index: number; body: Extract<WebhookMessage, { kind: "attempt" }> }[] = [];
    for (const [index, body] of bodies.entries()) {
      if (body.kind === "attempt") {
        attempts.push({ index, body });
        continue;
      }
      try {
        await fanOutEvent(deps, body.event_id);
        fates[index] = { ack: true };
      } catch (err) {
        log("error", "webhook fan-out failed", { event_id: body.event_id, error: errorField(err) });
        fates[index] = { retryAfterSeconds: retryDelay(1), reason: "fan-out failed" };
      }
    }
    const outcomes = await attemptDeliveries(
      deps,
      attempts.map((a) => a.body),
    );
    attempts.forEach(({ index }, i) => {
      const outcome = outcomes[i];
      fates[index] =
        outcome?.result === "in_flight"
          ? { retryAfterSeconds: outcome.retryInSeconds ?? 60, reason: "the attempt is under way elsewhere" }
          : { ack: true };
    });
    return fates;
  },
};
