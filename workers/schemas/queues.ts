import type { z } from "zod";
import { CaptionJobMessage } from "./captions";
import { FanOutMessage } from "./notifications";
import { VideoIndexMessage, VideoReadyMessage } from "./processing";
import { VideoJobMessage } from "./uploads";
import { WatchEventMessage } from "./videos";
import { WebhookMessage } from "./webhooks";

/**
 * Every queue of the platform: the binding that sends to it (a dead-letter queue has none:
 * only the platform fills it), the schema of its messages, and where its messages go after
 * their last retry. wrangler.toml declares the same queues (a test holds the two equal);
 * `queues/index.ts` gives each its consumer, and `send()` (wiring/queues.ts) is typed by it.
 */
export const QUEUES = {
  "video-upload": { binding: "VIDEO_UPLOAD_QUEUE", message: VideoJobMessage, deadLetter: "video-upload-dlq" },
  "video-upload-dlq": { message: VideoJobMessage },
  "video-ready": { binding: "VIDEO_READY_QUEUE", message: VideoReadyMessage, deadLetter: "video-ready-dlq" },
  "video-ready-dlq": { message: VideoReadyMessage },
  "notification-fanout": {
    binding: "NOTIFICATION_FANOUT_QUEUE",
    message: FanOutMessage,
    deadLetter: "notification-fanout-dlq",
  },
  "notification-fanout-dlq": { message: FanOutMessage },
  "video-index": { binding: "VIDEO_INDEX_QUEUE", message: VideoIndexMessage, deadLetter: "video-index-dlq" },
  "video-index-dlq": { message: VideoIndexMessage },
  "watch-events": { binding: "WATCH_EVENTS_QUEUE", message: WatchEventMessage, deadLetter: "watch-events-dlq" },
  "watch-events-dlq": { message: WatchEventMessage },
  "webhook-deliveries": {
    binding: "WEBHOOK_DELIVERIES_QUEUE",
    message: WebhookMessage,
    deadLetter: "webhook-deliveries-dlq",
  },
  "webhook-deliveries-dlq": { message: WebhookMessage },
  captions: { binding: "CAPTIONS_QUEUE", message: CaptionJobMessage, deadLetter: "captions-dlq" },
  "captions-dlq": { message: CaptionJobMessage },
} as const satisfies Record<string, { binding?: keyof Env; message: z.ZodType; deadLetter?: string }>;

export type QueueName = keyof typeof QUEUES;
export type MessageOf<Q extends QueueName> = z.output<(typeof QUEUES)[Q]["message"]>;
/** The queues the Worker sends to (each has a producer binding). */
export type ProducedQueue = { [Q in QueueName]: (typeof QUEUES)[Q] extends { binding: string } ? Q : never }[QueueName];

/** What a service that sends to a queue needs of it. */
export interface Producer<T> {
  send(body: T, options?: QueueSendOptions): Promise<void>;
}

/** A producer that also sends many messages in one call (at most 100: the Queues limit), each with its own delay. */
export interface BatchProducer<T> extends Producer<T> {
  sendBatch(messages: readonly { body: T; delaySeconds?: number }[]): Promise<void>;
}

export const isQueueName = (name: string): name is QueueName => Object.hasOwn(QUEUES, name);
