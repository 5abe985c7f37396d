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
): Promise<void> {
  for (const message of batch.messages) {
    const parsed = schema.safeParse(message.body);
    if (!parsed.success) {
      log("error", "malformed message dropped", { queue: batch.queue, id: message.id });
      message.ack();
      continue;
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
  }
}

/** What becomes of one message of a batch handled whole: done, or offered again after a delay. */
export type Fate = { ack: true } | { retryAfterSeconds: number; reason: string };

/**
 * The same loop for a consumer that handles its batch whole (webhook attempts share their D1
 * round trips): malformed messages are logged and acked, the rest go to `handle` together,
 * which answers each one's fate in order. If it throws, every message of the batch is retried
 * with backoff (handlers are idempotent).
 */
export async function consumeAll<S extends z.ZodType>(
  batch: MessageBatch<unknown>,
  schema: S,
  handle: (bodies: z.output<S>[]) => Promise<Fate[]>,
): Promise<void> {
  const valid: { message: Message<unknown>; body: z.output<S> }[] = [];
  for (const message of batch.messages) {
    const parsed = schema.safeParse(message.body);
    if (parsed.success) {
      valid.push({ message, body: parsed.data });
      continue;
    }
    log("error", "malformed message dropped", { queue: batch.queue, id: message.id });
    message.ack();
  }
  if (!valid.length) return;
  let fates: Fate[];
  try {
    fates = await handle(valid.map((v) => v.body));
  } catch (err) {
    log("error", "batch failed; retrying", { queue: batch.queue, messages: valid.length, error: String(err) });
    for (const { message } of valid) message.retry({ delaySeconds: retryDelay(message.attempts) });
    return;
  }
  valid.forEach(({ message }, i) => {
    const fate = fates[i];
    if (!fate || "ack" in fate) {
      message.ack();
      return;
    }
    log("warn", "message retried", { queue: batch.queue, id: message.id, error: fate.reason });
    message.retry({ delaySeconds: fate.retryAfterSeconds });
  });
}
