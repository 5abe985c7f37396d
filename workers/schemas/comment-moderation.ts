import { z } from "@hono/zod-openapi";
import { CommentOut } from "./comments";
import { Id, Timestamp } from "./common";

// What a user and a channel owner do about comments (API.md "Trust and safety"): blocks
// between users, a channel's rules for holding comments, and the held comments themselves.

export const BlockParams = z.object({ user_id: Id.openapi({ param: { name: "user_id", in: "path" } }) });

export const BlockedUser = z.object({ id: Id, username: z.string(), blocked_at: Timestamp }).openapi("BlockedUser");

export const BlockList = z
  .object({
    items: z.array(BlockedUser),
    page: z.number().int(),
    limit: z.number().int(),
    total: z.number().int(),
  })
  .openapi("BlockList");

/** Bounds of a channel's held words (docs/api.md). */
export const HELD_WORDS_MAX = 200;
export const HELD_WORD_CHARS = 50;

/**
 * A held word or phrase: letters and digits, with spaces, apostrophes or hyphens inside.
 * It is matched as whole words, so it starts and ends with a letter or digit.
 */
const HeldWord = z
  .string()
  .trim()
  .min(1, "must not be empty")
  .max(HELD_WORD_CHARS, `must be at most ${HELD_WORD_CHARS} characters`)
  .regex(
    /^[\p{L}\p{N}](?:[\p{L}\p{N}' -]*[\p{L}\p{N}])?$/u,
    "letters and digits, with spaces, apostrophes or hyphens inside",
  )
  .transform((word) => word.replace(/\s+/g, " ").toLowerCase());

export const CommentRulesBody = z
  .object({
    held_words: z
      .array(HeldWord)
      .max(HELD_WORDS_MAX, `at most ${HELD_WORDS_MAX} words`)
      .transform((words) => [...new Set(words)])
      .openapi({
        description: `Words or phrases (1-${HELD_WORD_CHARS} characters, at most ${HELD_WORDS_MAX}) that hold a comment for review: matched case-insensitively as whole words, leetspeak, look-alike letters, repeated letters and spelled-out letters folded`,
      }),
    hold_links: z.boolean().openapi({ description: "Hold every comment that carries a link" }),
  })
  .strict()
  .openapi("CommentRulesBody");
export type CommentRulesBody = z.infer<typeof CommentRulesBody>;

export const CommentRules = z
  .object({
    channel_id: Id,
    held_words: z.array(z.string()),
    hold_links: z.boolean(),
    updated_at: Timestamp.nullable().openapi({ description: "null until the owner first saves them" }),
  })
  .openapi("CommentRules");
export type CommentRules = z.infer<typeof CommentRules>;

export const HeldComment = CommentOut.extend({ video: z.object({ id: Id, title: z.string() }) }).openapi("HeldComment");

export const HeldCommentList = z
  .object({
    items: z.array(HeldComment),
    page: z.number().int(),
    limit: z.number().int(),
    total: z.number().int(),
  })
  .openapi("HeldCommentList");
export type HeldCommentList = z.infer<typeof HeldCommentList>;
