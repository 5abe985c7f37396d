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
