import type { WebhookMessage } from "../schemas/webhooks";
import { attemptDelivery, fanOutEvent } from "../services/webhook-delivery";
import { databaseOf, deliveryDeps } from "../wiring/deps";
import { RetryLater } from "./consume";

/**
 * `webhook-deliveries`: an event fans out into one message per endpoint; each of those makes
 * one signed attempt and, when it fails, queues the next on the retry schedule. Idempotent: a
 * delivery's attempt is made once however often its message comes.
 */
export async function webhookDelivery(body: WebhookMessage, env: Env): Promise<void> {
  const deps = deliveryDeps(env, databaseOf(env));
  if (body.kind === "event") {
    await fanOutEvent(deps, body.event_id);
    return;
  }
  const { result, retryInSeconds } = await attemptDelivery(deps, body);
  if (result === "in_flight") throw new RetryLater(retryInSeconds ?? 60, "the attempt is under way elsewhere");
}
