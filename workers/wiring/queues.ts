import { type BatchProducer, type MessageOf, type ProducedQueue, QUEUES } from "../schemas/queues";

/**
 * The queue `name` as a typed producer: each message is checked against the queue's schema
 * before it leaves, so a malformed one fails where it was made (the request or consumer that
 * made it) instead of being dropped by the consumer that could never parse it.
 */
export function producer<Q extends ProducedQueue>(env: Env, name: Q): BatchProducer<MessageOf<Q>> {
  const { binding, message } = QUEUES[name];
  const queue: Queue = env[binding];
  return {
    send: async (body, options) => {
      const checked = message.parse(body);
      await (options ? queue.send(checked, options) : queue.send(checked));
    },
    sendBatch: async (messages) => {
      if (!messages.length) return;
      await queue.sendBatch(
        messages.map((m) => ({
          body: message.parse(m.body),
          ...(m.delaySeconds ? { delaySeconds: m.delaySeconds } : {}),
        })),
      );
    },
  };
}

/** Sends one message to the queue `name`: `send(env, "video-index", { video_id })`. */
export const send = <Q extends ProducedQueue>(env: Env, name: Q, body: MessageOf<Q>, options?: QueueSendOptions) =>
  producer(env, name).send(body, options);
