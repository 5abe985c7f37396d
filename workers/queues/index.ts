import type { z } from "zod";
import { log } from "../lib/log";
import { isQueueName, type MessageOf, QUEUES, type QueueName } from "../schemas/queues";
import { captionJob, captionJobDeadLetter } from "./captions";
import { consume, consumeAll, type Fate } from "./consume";
import { fanOutPage } from "./notification-fanout";
import { indexVideo } from "./video-index";
import { videoReady } from "./video-ready";
import { videoJob, videoJobDeadLetter } from "./video-upload";
import { watchEvents } from "./watch-events";
import { webhookDeliveries } from "./webhook-deliveries";

/** One message's work; it throws to be retried (`RetryLater` for its own delay). Must be idempotent. */
export type Handler<T> = (body: T, env: Env) => Promise<unknown>;

/** A whole batch's work at once, answering each message's fate in order. Must be idempotent. */
export interface BatchHandler<T> {
  batch(bodies: T[], env: Env): Promise<Fate[]>;
}

/**
 * Each queue's consumer, by name. `null`: the queue has no consumer (a dead-letter queue
 * whose messages wait for a person). A queue added to QUEUES without an entry here does
 * not compile; a test holds this table to wrangler.toml's consumers.
 */
export const CONSUMERS: { [Q in QueueName]: Handler<MessageOf<Q>> | BatchHandler<MessageOf<Q>> | null } = {
  "video-upload": videoJob,
  "video-upload-dlq": videoJobDeadLetter,
  "video-ready": videoReady,
  "video-ready-dlq": null,
  "notification-fanout": fanOutPage,
  "notification-fanout-dlq": null,
  "video-index": indexVideo,
  "video-index-dlq": null,
  "watch-events": watchEvents,
  "watch-events-dlq": null,
  "webhook-deliveries": webhookDeliveries,
  "webhook-deliveries-dlq": null,
  captions: captionJob,
  "captions-dlq": captionJobDeadLetter,
};

/** How long a message with no consumer waits before it is offered again (for a person to look at). */
const UNCONSUMED_DELAY_SECONDS = 3600;

/** Keeps a batch nobody consumes: each message is offered again in an hour, until it expires from the queue. */
function keep(batch: MessageBatch<unknown>) {
  for (const message of batch.messages) message.retry({ delaySeconds: UNCONSUMED_DELAY_SECONDS });
}

/** Routes each batch to its queue's consumer, through the one ack/retry loop. */
export async function handleQueue(batch: MessageBatch<unknown>, env: Env): Promise<void> {
  const name = batch.queue;
  if (!isQueueName(name)) {
    // wrangler.toml routes a queue here that the code does not know: keep its messages.
    log("error", "batch from an unknown queue", { queue: name, messages: batch.messages.length });
    keep(batch);
    return;
  }
  await consumeFrom(name, batch, env);
}

function consumeFrom<Q extends QueueName>(name: Q, batch: MessageBatch<unknown>, env: Env): Promise<void> {
  const handler: Handler<MessageOf<Q>> | BatchHandler<MessageOf<Q>> | null = CONSUMERS[name];
  if (!handler) {
    keep(batch);
    return Promise.resolve();
  }
  // MessageOf<Q> is this very schema's output, but TypeScript resolves QUEUES[name] to the
  // union of every queue's schema for a generic Q (microsoft/TypeScript#30581); the table
  // above is what checks each handler against its queue's messages.
  const schema = QUEUES[name].message as unknown as z.ZodType<MessageOf<Q>>;
  if (typeof handler !== "function") return consumeAll(batch, schema, (bodies) => handler.batch(bodies, env));
  return consume(batch, schema, (body) => handler(body, env));
}
