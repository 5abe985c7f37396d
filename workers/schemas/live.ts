import { z } from "@hono/zod-openapi";
import { limitParam } from "./common";

export const LiveSettingsOut = z
  .object({
    slow_mode_seconds: z.number().int().min(0).max(300),
    comments: z.enum(["open", "subscribers", "closed"]),
  })
  .openapi("LiveSettings");

export const LiveSettingsBody = LiveSettingsOut.partial().strict().openapi("LiveSettingsChange");

export const LiveEventsQuery = z.object({
  after: z.coerce
    .number()
    .int()
    .min(0)
    .default(0)
    .openapi({ param: { name: "after", in: "query" }, description: "The last seq the client saw" }),
  limit: limitParam(100, 500),
});

export const LiveEvents = z
  .object({
    items: z.array(z.record(z.string(), z.unknown())).openapi({
      description: "The room's messages after `after`, oldest first (comment_added, comment_deleted, settings)",
    }),
    seq: z.number().int().openapi({ description: "The room's latest seq" }),
  })
  .openapi("LiveEvents");

export const JoinQuery = z.object({
  access_token: z
    .string()
    .max(2000)
    .optional()
    .openapi({ param: { name: "access_token", in: "query" } }),
  batch: z
    .enum(["0", "1"])
    .optional()
    .openapi({ param: { name: "batch", in: "query" }, description: "1: one `batch` frame per tick" }),
  view: z
    .enum(["all", "top"])
    .optional()
    .openapi({ param: { name: "view", in: "query" }, description: "top: at most 8 comments a second, sampled" }),
});
