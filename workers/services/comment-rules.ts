import type { AuthUser, Database } from "../env";
import { forbidden, notFound } from "../lib/errors";
import type { CommentRules, CommentRulesBody, HeldCommentList } from "../schemas/comment-moderation";
import { toComment } from "../schemas/comments";
import { findChannel } from "../storage/accounts";
import * as store from "../storage/channel-moderation";
import { heldOnChannel } from "../storage/comments";
import { findTitles } from "../storage/videos";
import type { CommentStores } from "./comments";
import { countLinks, heldWordsMatcher } from "./screening";

/**
 * A channel owner's rules for comments on their videos (API.md "Trust and safety"): held
 * words and "hold comments with links". A comment that meets them is stored `held`: its
 * author sees it marked, the owner approves or deletes it, nobody else sees it meanwhile.
 */

/** The channel, if `user` owns it: 404 for no channel, 403 for someone else's. */
async function ownChannel(db: Database, user: AuthUser, channelId: string) {
  const channel = await findChannel(db, channelId);
  if (!channel) throw notFound("Channel");
  if (channel.ownerId !== user.id) throw forbidden("Only the channel's owner may see or change its comment rules.");
  return channel;
}

const rulesOut = (channelId: string, rules: store.CommentRules | undefined): CommentRules => ({
  channel_id: channelId,
  held_words: rules?.heldWords ?? [],
  hold_links: rules?.holdLinks ?? false,
  updated_at: rules?.updatedAt.toISOString() ?? null,
});

/** The channel's rules (the defaults, nothing held, until its owner saves some). */
export async function commentRules(db: Database, user: AuthUser, channelId: string): Promise<CommentRules> {
  await ownChannel(db, user, channelId);
  return rulesOut(channelId, await store.findRules(db, channelId));
}

/** Replaces the channel's rules; they apply to the next comment posted. */
export async function saveCommentRules(
  db: Database,
  user: AuthUser,
  channelId: string,
  body: CommentRulesBody,
  now = new Date(),
): Promise<CommentRules> {
  await ownChannel(db, user, channelId);
  const saved = await store.saveRules(db, {
    channelId,
    heldWords: body.held_words,
    holdLinks: body.hold_links,
    updatedAt: now,
  });
  return rulesOut(channelId, saved);
}

/**
 * Each channel's word matcher, built once per isolate per version of its rules (compiling
 * a few hundred patterns costs milliseconds; every comment on the channel's videos needs it).
 * Keyed by channel and `updated_at`, so a save is seen by every isolate at its next comment.
 */
type Matcher = (content: string) => boolean;
const matchers = new Map<string, { version: number; matcher: Matcher }>();
const MATCHERS_MAX = 1000;

function matcherOf(rules: store.CommentRules): Matcher {
  const version = rules.updatedAt.getTime();
  const known = matchers.get(rules.channelId);
  if (known?.version === version) return known.matcher;
  if (matchers.size >= MATCHERS_MAX) matchers.clear();
  const matcher = heldWordsMatcher(rules.heldWords);
  matchers.set(rules.channelId, { version, matcher });
  return matcher;
}

/** Whether the rules hold this comment for review: a held word (evasions folded), or a link when links are held. */
export function holds(rules: store.CommentRules | undefined, content: string): boolean {
  if (!rules) return false;
  if (rules.holdLinks && countLinks(content) > 0) return true;
  return rules.heldWords.length > 0 && matcherOf(rules)(content);
}

/** The comments held on the channel's videos, newest first, for its owner to approve or delete. */
export async function heldComments(
  stores: CommentStores,
  user: AuthUser,
  channelId: string,
  page: number,
  limit: number,
): Promise<HeldCommentList> {
  const { db } = stores;
  await ownChannel(db, user, channelId);
  const { total, rows: shown } = await heldOnChannel(stores.comments, channelId, limit, (page - 1) * limit);
  const titles = await findTitles(db, channelId, [...new Set(shown.map((r) => r.videoId))]);
  return {
    // A video deleted meanwhile takes its comments with it; they are not listed.
    items: shown.flatMap((row) => {
      const title = titles.get(row.videoId);
      return title === undefined ? [] : [{ ...toComment(row), video: { id: row.videoId, title } }];
    }),
    page,
    limit,
    total,
  };
}
