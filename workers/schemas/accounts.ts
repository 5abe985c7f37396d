import { z } from "@hono/zod-openapi";
import { ROLES } from "../storage/schema";
import { Id, Timestamp } from "./common";

export const RegisterBody = z
  .object({
    email: z.email().max(254),
    username: z
      .string()
      .min(3)
      .max(30)
      .regex(/^[A-Za-z0-9_.-]+$/, "letters, digits, '_', '.' and '-' only"),
    password: z.string().min(8).max(256),
  })
  .openapi("RegisterBody");

export const LoginBody = z
  .object({ email: z.email().max(254), password: z.string().min(1).max(256) })
  .openapi("LoginBody");

export const PublicUser = z
  .object({ id: Id, username: z.string(), channel_id: Id, created_at: Timestamp })
  .openapi("PublicUser");

export const Me = z
  .object({
    id: Id,
    username: z.string(),
    email: z.string(),
    channel_id: Id,
    created_at: Timestamp,
    history_paused: z.boolean(),
    role: z.enum(ROLES).openapi({ description: "user, moderator or admin (an admin is also a moderator)" }),
  })
  .openapi("Me");

export const Session = z.object({ user: Me, token: z.string() }).openapi("Session");

export const ChannelOut = z
  .object({
    id: Id,
    name: z.string(),
    owner_id: Id,
    verified: z.boolean(),
    subscriber_count: z.number().int(),
    video_count: z.number().int(),
  })
  .openapi("Channel");
