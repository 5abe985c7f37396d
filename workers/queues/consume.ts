import type { z } from "zod";
import { log } from "../lib/log";

/** Thrown by a handler that knows when its message is worth trying again (a service's own backoff). */
export class RetryLater extends Error {
  constructor(
    readonly delaySeconds: number,
    message: string,
  ) {
    super(message);
    this.name = "RetryLater";
  }
}

/** Exponential backoff for a message whose handler threw: 10 s, 20 s, ... at most 5 minutes. */
export const retryDelay = (attempts: number) => Math.min(300, 5 * 2 ** attempts);

/**
 * The one ack/retry loop of every consumer. Each message is parsed with `schema`: a malformed
 * one can never succeed, so it is logged and acked rather than retried until it dead-letters.
 * A valid one goes to `handle`; it is acked when the handler finishes, retried after the
 * handler's own delay when it throws `RetryLater`, and retried with backoff when it throws
 * anything else.
 * Handlers must be idempotent: a queue delivers at least once.
 */
export async function consume<S extends z.ZodType>(
  batch: MessageBatch<unknown>,
  schema: S,
  handle: (body: z.output<S>, message: Message<unknown>) => Promise<unknown>,
  { concurrency = 1 }: { concurrency?: number } = {},
): Promise<void> {
  const one = async (message: Message<unknown>) => {
    const parsed = schema.safeParse(message.body);
    if (!parsed.success) {
      log("error", "malformed message dropped", { queue: batch.queue, id: message.id });
      message.ack();
      return;
    }
    try {
      await handle(parsed.data, message);
      message.ack();
    } catch (err) {
      if (err instanceof RetryLater) {
        log("warn", "message retried", { queue: batch.queue, id: message.id, error: err.message });
        message.retry({ delaySeconds: err.delaySeconds });
      } else {
        log("error", "message failed; retrying", { queue: batch.queue, id: message.id, error: String(err) });
        message.retry({ delaySeconds: retryDelay(message.attempts) });
      }
    }
  };
  // In order, one at a time, unless the queue's messages are independent and mostly wait on
  // the network (webhook deliveries): then up to `concurrency` at once.
  let next = 0;
  const lane = async () => {
    while (next < batch.messages.length) await one(batch.messages[next++] as Message<unknown>);
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, batch.messages.length)) }, lane));
}
