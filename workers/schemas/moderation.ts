import { z } from "@hono/zod-openapi";
import { REPORT_REASONS, REPORT_STATES, REPORT_TARGETS, ROLES } from "../storage/schema";
import { Id, PageQuery, Timestamp } from "./common";

export { REPORT_REASONS };

/** Free text a moderator gives for an action (API.md: 1-500 characters). */
const Reason = z.string().trim().min(1).max(500);

export const ReportBody = z
  .object({
    target: z.object({ type: z.enum(REPORT_TARGETS), id: Id }),
    reason: z.enum(REPORT_REASONS),
    message: z.string().max(3000).optional(),
    start_at: z.number().min(0).max(86_400).optional().openapi({ description: "Seconds into a video" }),
    end_at: z.number().min(0).max(86_400).optional().openapi({ description: "Seconds into a video" }),
  })
  .strict()
  .openapi("ReportBody");
export type ReportBody = z.infer<typeof ReportBody>;

export const ReportCreated = z
  .object({ id: Id, state: z.literal("pending"), created_at: Timestamp })
  .openapi("ReportCreated");

const ReportFields = {
  id: Id,
  reason: z.enum(REPORT_REASONS),
  message: z.string().nullable(),
  start_at: z.number().nullable(),
  end_at: z.number().nullable(),
  state: z.enum(REPORT_STATES),
  outcome: z.string().nullable().openapi({ description: "The action that settled it" }),
  created_at: Timestamp,
  settled_at: Timestamp.nullable(),
};

export const ReportOut = z
  .object({ ...ReportFields, target: z.object({ type: z.enum(REPORT_TARGETS), id: Id }) })
  .openapi("Report");

export const ReportList = z
  .object({ items: z.array(ReportOut), page: z.number().int(), limit: z.number().int() })
  .openapi("ReportList");

const Person = z.object({ id: Id, username: z.string() });

export const TargetSummary = z
  .discriminatedUnion("type", [
    z.object({
      type: z.literal("video"),
      id: Id,
      title: z.string().nullable(),
      thumbnail: z.string().nullable(),
      owner: Person.nullable(),
      blocked: z.boolean(),
    }),
    z.object({
      type: z.literal("comment"),
      id: Id,
      content: z.string().nullable(),
      video_id: Id.nullable(),
      author: Person.nullable(),
      deleted: z.boolean(),
    }),
    z.object({ type: z.literal("user"), id: Id, username: z.string().nullable(), suspended: z.boolean() }),
  ])
  .openapi("ReportTarget");

export const QueueItem = z
  .object({
    ...ReportFields,
    target: TargetSummary,
    reporter: Person.nullable().openapi({ description: "Hidden (null) from the reported party" }),
    report_count: z.number().int().openapi({ description: "The target's open reports" }),
  })
  .openapi("ModerationQueueItem");

export const ReportQueue = z
  .object({ items: z.array(QueueItem), page: z.number().int(), limit: z.number().int() })
  .openapi("ModerationQueue");

export const QueueQuery = PageQuery.extend({
  state: z
    .enum(REPORT_STATES)
    .default("pending")
    .openapi({ param: { name: "state", in: "query" } }),
  target_type: z
    .enum(REPORT_TARGETS)
    .optional()
    .openapi({ param: { name: "target_type", in: "query" } }),
});

export const REPORT_ACTIONS = ["dismiss", "remove_comment", "block_video", "suspend_user"] as const;
export type ReportAction = (typeof REPORT_ACTIONS)[number];

export const ActionBody = z
  .object({ action: z.enum(REPORT_ACTIONS), note: z.string().trim().max(500).optional() })
  .strict()
  .openapi("ReportActionBody");

export const BlockBody = z.object({ reason: Reason }).strict().openapi("BlockBody");
export const Blocked = z.object({ video_id: Id, reason: z.string(), at: Timestamp }).openapi("VideoBlock");

export const SuspensionBody = z
  .object({ reason: Reason, until: z.iso.datetime({ offset: true }).optional() })
  .strict()
  .openapi("SuspensionBody");
export const Suspension = z
  .object({ user_id: Id, reason: z.string(), until: Timestamp.nullable(), at: Timestamp })
  .openapi("Suspension");

export const LogItem = z
  .object({
    id: Id,
    actor: z.object({ id: z.string(), username: z.string().nullable() }),
    action: z.string(),
    target: z.object({ type: z.string(), id: z.string() }),
    reason: z.string().nullable(),
    report_id: Id.nullable(),
    created_at: Timestamp,
  })
  .openapi("ModerationLogItem");
export const LogList = z
  .object({ items: z.array(LogItem), page: z.number().int(), limit: z.number().int() })
  .openapi("ModerationLog");

export const RoleBody = z
  .object({ role: z.enum(ROLES) })
  .strict()
  .openapi("RoleBody");
export const RoleOut = z.object({ id: Id, username: z.string(), role: z.enum(ROLES) }).openapi("UserRole");

export const ReportParams = z.object({ report_id: Id.openapi({ param: { name: "report_id", in: "path" } }) });
export const UserParams = z.object({ user_id: Id.openapi({ param: { name: "user_id", in: "path" } }) });
export const VideoIdParams = z.object({ video_id: Id.openapi({ param: { name: "video_id", in: "path" } }) });
