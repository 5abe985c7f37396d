import { ROOM_MEMORY_MS } from "../durable-objects/user-history";
import type { AuthUser, Database } from "../env";
import { forbidden, notFound, problem } from "../lib/errors";
import { newId } from "../lib/ids";
import { log } from "../lib/log";
import * as comments from "../storage/comments";
import { purgeComments } from "../storage/edge-cache";
import type { RoomMemory } from "../storage/history";
import * as store from "../storage/moderation";
import type { Role } from "../storage/schema";
import { findVideo } from "../storage/videos";

/**
 * Moderators' actions (API.md "Trust and safety"): blocking and restoring videos, suspending
 * and restoring accounts, roles. Each is one batch with its line in the append-only
 * moderation log (and the reports it settles, and the notices it sends), then the effects
 * outside D1: cached answers purged, live rooms closed.
 */
export interface ModerationDeps {
  db: Database;
  /** The `COMMENTS` database: an account's standing is copied onto its comments there. */
  comments: Database;
  /** Drops every cached answer about a video, here and (in production) in every data centre. */
  purge(videoId: string): Promise<void>;
  /** Live rooms: a blocked video's room closes; a suspended user's sockets close. */
  rooms: {
    close(videoId: string, reason: string): Promise<void>;
    closeViewer(videoId: string, userId: string, reason: string): Promise<void>;
  };
  /** The rooms a user joined lately (a suspension closes their sockets there). */
  joins: RoomMemory;
  /** Brings the video's content vector in line with its row (it leaves recommendations). */
  reindex(videoId: string): Promise<void>;
  /**
   * Removes a comment through its video's room (which writes the video's comments and tells
   * watchers), and its cached pages go; false when it was gone.
   */
  removeComment(videoId: string, commentId: string): Promise<boolean>;
  /** Runs work after the answer (purging an account's many videos). */
  waitUntil(promise: Promise<unknown>): void;
  /** A video was blocked (its owner's webhooks hear `video.blocked`). */
  blocked?(videoId: string, reason: string, at: Date): Promise<void>;
}

/** Roles in order: each can do what the ones before it can. */
const RANK: Record<Role, number> = { user: 0, moderator: 1, admin: 2 };
export const hasRole = (user: Pick<AuthUser, "role">, role: Role) => RANK[user.role] >= RANK[role];

/** A suspension with no end: held as the last date JavaScript has (year 275760). */
const INDEFINITE = new Date(8.64e15);

/** What an action settles, when it answers a report. */
export interface Settling {
  reportId: string;
  target: { type: store.TargetType; id: string };
  /** Told to every reporter of the target. */
  notice: string;
}

/** Statements that settle a report's target with an accepted or rejected outcome (reporters notified first). */
function settling(deps: ModerationDeps, s: Settling | undefined, outcome: string, moderator: AuthUser, at: Date) {
  if (!s) return [];
  const state = outcome === "dismiss" ? "rejected" : "accepted";
  return [
    store.notifyReporters(deps.db, s.target, s.notice),
    store.settleReports(deps.db, s.target, state, outcome, moderator.id, at),
  ];
}

/** Blocks a video: gone for everyone but its owner (451), out of every list, its room closed. */
export async function blockVideo(
  deps: ModerationDeps,
  moderator: AuthUser,
  videoId: string,
  reason: string,
  settles?: Settling,
  now = new Date(),
) {
  const video = await findVideo(deps.db, videoId);
  if (!video) throw notFound("Video");
  const at = video.blockedAt ?? now;
  await store.runAction(deps.db, [
    store.blockVideo(deps.db, videoId, reason, at),
    store.logAction(deps.db, {
      id: newId(),
      actorId: moderator.id,
      action: "block_video",
      targetType: "video",
      targetId: videoId,
      reason,
      reportId: settles?.reportId,
    }),
    store.notifyBlocked(deps.db, {
      id: newId(),
      userId: video.ownerId,
      videoId,
      message: `Your video "${video.title}" was blocked by a moderator: ${reason}`,
    }),
    ...settling(deps, settles, "block_video", moderator, now),
  ]);
  await Promise.all([
    deps.purge(videoId),
    purgeComments(videoId),
    deps.rooms
      .close(videoId, "video_blocked")
      .catch((err: unknown) => log("warn", "room close failed", { video_id: videoId, error: String(err) })),
    deps.reindex(videoId),
    deps.blocked?.(videoId, reason, at),
  ]);
  return { video_id: videoId, reason, at: at.toISOString() };
}

/** Restores a blocked video: everything blocking took away comes back. */
export async function restoreVideo(deps: ModerationDeps, moderator: AuthUser, videoId: string) {
  const video = await findVideo(deps.db, videoId);
  if (!video) throw notFound("Video");
  if (!video.blockedAt) return;
  await store.runAction(deps.db, [
    store.unblockVideo(deps.db, videoId),
    store.logAction(deps.db, {
      id: newId(),
      actorId: moderator.id,
      action: "restore_video",
      targetType: "video",
      targetId: videoId,
      reason: null,
    }),
  ]);
  await Promise.all([deps.purge(videoId), purgeComments(videoId), deps.reindex(videoId)]);
}

/** A moderator may act on users below their own role; an admin on anyone but themselves. */
function assertOutranks(moderator: AuthUser, target: { id: string; role: Role }) {
  if (target.id === moderator.id) throw forbidden("You cannot do this to your own account.");
  if (!hasRole(moderator, "admin") && RANK[target.role] >= RANK[moderator.role]) {
    throw forbidden("Only an admin may do this to a moderator or an admin.");
  }
}

/**
 * Suspends an account: its tokens and sessions are refused from the next request, its videos
 * and comments disappear for everyone else (a trigger hides the videos), its live sockets close.
 */
export async function suspendUser(
  deps: ModerationDeps,
  moderator: AuthUser,
  userId: string,
  input: { reason: string; until?: Date },
  settles?: Settling,
  now = new Date(),
) {
  const target = await store.findAccount(deps.db, userId);
  if (!target) throw notFound("User");
  assertOutranks(moderator, target);
  if (input.until && input.until.getTime() <= now.getTime()) {
    throw problem("validation_failed", {
      detail: "A suspension ends in the future.",
      extra: { invalid_params: [{ name: "until", reason: "must be in the future" }] },
    });
  }
  const until = input.until ?? INDEFINITE;
  await store.runAction(deps.db, [
    store.suspend(deps.db, userId, until, input.reason),
    store.logAction(deps.db, {
      id: newId(),
      actorId: moderator.id,
      action: "suspend_user",
      targetType: "user",
      targetId: userId,
      reason: input.reason,
      reportId: settles?.reportId,
    }),
    ...settling(deps, settles, "suspend_user", moderator, now),
  ]);
  const [rooms] = await Promise.all([
    deps.joins.roomsOf(userId, new Date(now.getTime() - ROOM_MEMORY_MS)),
    accountChanged(deps, userId, true),
  ]);
  await Promise.all(
    rooms.map((videoId) =>
      deps.rooms
        .closeViewer(videoId, userId, "account_suspended")
        .catch((err: unknown) => log("warn", "room close failed", { video_id: videoId, error: String(err) })),
    ),
  );
  return {
    user_id: userId,
    reason: input.reason,
    until: input.until?.toISOString() ?? null,
    at: now.toISOString(),
  };
}

/** Ends a suspension by hand (the cron ends those whose time has come). */
export async function liftSuspension(deps: ModerationDeps, moderator: AuthUser | null, userId: string) {
  const target = await store.findAccount(deps.db, userId);
  if (!target) throw notFound("User");
  if (!target.suspendedUntil) return;
  await store.runAction(deps.db, [
    store.lift(deps.db, userId),
    store.logAction(deps.db, {
      id: newId(),
      actorId: moderator?.id ?? "cron",
      action: "lift_suspension",
      targetType: "user",
      targetId: userId,
      reason: moderator ? null : "the suspension ran out",
    }),
  ]);
  await accountChanged(deps, userId, false);
}

/** Cron: suspensions whose end has come are lifted (and logged). */
export async function liftExpiredSuspensions(deps: ModerationDeps, now = new Date()) {
  const due = await store.expiredSuspensions(deps.db, now);
  for (const { id } of due) await liftSuspension(deps, null, id);
  return due.length;
}

/**
 * An account was suspended or restored: its comments say so, and its videos and the pages that show its comments changed: their cached
 * answers go (in the background).
 */
async function accountChanged(deps: ModerationDeps, userId: string, suspended: boolean) {
  await comments.setAuthorSuspended(deps.comments, userId, suspended);
  const [own, commented] = await Promise.all([
    store.videoIdsOf(deps.db, userId),
    comments.commentedVideoIdsOf(deps.comments, userId),
  ]);
  deps.waitUntil(
    Promise.all([...own.map((id) => deps.purge(id)), ...commented.map((id) => purgeComments(id))]).catch(
      (err: unknown) => log("warn", "purge after a suspension failed", { user_id: userId, error: String(err) }),
    ),
  );
}

/** An admin gives a user a role; it takes effect at the user's next request. */
export async function setRole(db: Database, admin: AuthUser, userId: string, role: Role) {
  const target = await store.findAccount(db, userId);
  if (!target) throw notFound("User");
  if (target.id === admin.id && role !== "admin") throw forbidden("An admin cannot demote themselves.");
  await store.runAction(db, [
    store.setRole(db, userId, role),
    store.logAction(db, {
      id: newId(),
      actorId: admin.id,
      action: "set_role",
      targetType: "user",
      targetId: userId,
      reason: `role: ${role}`,
    }),
  ]);
  return { id: target.id, username: target.username, role };
}

/** The moderation log, newest first. */
export async function moderationLog(db: Database, page: number, limit: number) {
  const rows = await store.listLog(db, limit, (page - 1) * limit);
  return {
    items: rows.map(({ line, actorName }) => ({
      id: line.id,
      actor: { id: line.actorId, username: actorName },
      action: line.action,
      target: { type: line.targetType, id: line.targetId },
      reason: line.reason,
      report_id: line.reportId,
      created_at: line.createdAt.toISOString(),
    })),
    page,
    limit,
  };
}

/**
 * Who a valid token names, as of now: the account's current role, and a refusal (401
 * `account_suspended`) while it is suspended. Read on every authenticated request, so a role
 * change or a suspension takes effect at the next one.
 */
export async function currentUser(db: Database, userId: string, now = Date.now()): Promise<AuthUser | undefined> {
  const account = await store.findAccount(db, userId);
  if (!account) return undefined;
  if (account.suspendedUntil && account.suspendedUntil.getTime() > now) throw accountSuspended(account.suspendedUntil);
  return { id: account.id, username: account.username, role: account.role };
}

export const accountSuspended = (until: Date) =>
  problem("account_suspended", {
    detail: "This account is suspended.",
    extra: { until: until.getTime() >= INDEFINITE.getTime() ? null : until.toISOString() },
    headers: { "WWW-Authenticate": "Bearer" },
  });
