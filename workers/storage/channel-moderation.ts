import { eq } from "drizzle-orm";
import type { Database } from "../env";
import { channelModeration, channels } from "./schema";

/** Every query on `channel_moderation`: a channel owner's rules for holding comments. */

export interface CommentRules {
  channelId: string;
  heldWords: string[];
  holdLinks: boolean;
  updatedAt: Date;
}

const columns = {
  channelId: channelModeration.channelId,
  heldWords: channelModeration.heldWords,
  holdLinks: channelModeration.holdLinks,
  updatedAt: channelModeration.updatedAt,
};

/** A channel's rules; undefined while its owner has set none. */
export async function findRules(db: Database, channelId: string): Promise<CommentRules | undefined> {
  return db.select(columns).from(channelModeration).where(eq(channelModeration.channelId, channelId)).get();
}

/** The rules of the channel a user owns (every user owns one), as a statement for a batch (storage/comments.ts `postingChecks`). */
export const rulesOfOwnerQuery = (db: Database, ownerId: string) =>
  db
    .select(columns)
    .from(channelModeration)
    .innerJoin(channels, eq(channels.id, channelModeration.channelId))
    .where(eq(channels.ownerId, ownerId))
    .limit(1);

/** Replaces a channel's rules; `updatedAt` names the version (matchers are cached by it). */
export async function saveRules(db: Database, rules: CommentRules): Promise<CommentRules> {
  const { channelId, heldWords, holdLinks, updatedAt } = rules;
  await db
    .insert(channelModeration)
    .values({ channelId, heldWords, holdLinks, updatedAt })
    .onConflictDoUpdate({ target: channelModeration.channelId, set: { heldWords, holdLinks, updatedAt } });
  return rules;
}
