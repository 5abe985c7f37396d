import { z } from "@hono/zod-openapi";
import { Id, listOf, Timestamp } from "./common";

export const NotificationOut = z
  .object({
    id: Id,
    type: z.string().openapi({ example: "video_ready" }),
    video_id: Id.optional(),
    message: z.string(),
    read: z.boolean(),
    created_at: Timestamp,
  })
  .openapi("Notification");

export const NotificationList = listOf(NotificationOut, "NotificationList");

/**
 * The `notification-fanout` queue message: one page of a channel's subscribers to notify of
 * a new video, those with a user id after `after` (null: from the first). Each consumer run
 * writes one page and sends the message for the next, so no single run writes more than a page.
 */
export const FanOutMessage = z.object({
  kind: z.literal("new_video"),
  video_id: Id,
  after: Id.nullable(),
});
export type FanOutMessage = z.infer<typeof FanOutMessage>;
