import { and, desc, eq, inArray, isNotNull, lte, sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import type { Database } from "../env";
import { commentsByIds } from "./comments";
import {
  moderationLog,
  notifications,
  type REPORT_STATES,
  type REPORT_TARGETS,
  type Role,
  reports,
  users,
  videos,
} from "./schema";

/**
 * Every query on the trust-and-safety tables: reports, the moderation log, roles and
 * suspensions on `users`, and blocks on `videos`. A moderation
 * action is one `batch()`: the change itself, its log line, the reports it settles and the
 * notices it sends, so that either all of it happened or none of it did.
 */

export type TargetType = (typeof REPORT_TARGETS)[number];
export type ReportState = (typeof REPORT_STATES)[number];
export type ReportRow = typeof reports.$inferSelect;
type Statement = BatchItem<"sqlite">;

export interface NewReport {
  id: string;
  reporterId: string;
  targetType: TargetType;
  targetId: string;
  reason: ReportRow["reason"];
  message: string | null;
  startAt: number | null;
  endAt: number | null;
}

/** Files a report; false when the reporter already has a pending one of this target (the partial unique index). */
export async function insertReport(db: Database, report: NewReport): Promise<ReportRow | undefined> {
  return db.insert(reports).values(report).onConflictDoNothing().returning().get();
}

export async function findReport(db: Database, reportId: string): Promise<ReportRow | undefined> {
  return db.select().from(reports).where(eq(reports.id, reportId)).get();
}

/** A user's own reports, newest first. */
export async function reportsOf(db: Database, userId: string, limit: number, offset: number) {
  return db
    .select()
    .from(reports)
    .where(eq(reports.reporterId, userId))
    .orderBy(desc(reports.createdAt))
    .limit(limit)
    .offset(offset)
    .all();
}

export interface QueueRow extends ReportRow {
  reporterName: string;
  openReports: number;
}

/**
 * The moderators' queue: reports in `state` (of `targetType`), those whose target has the
 * most open reports first, then oldest first; each with its target's count of open reports.
 */
export async function reportQueue(
  db: Database,
  filter: { state: ReportState; targetType?: TargetType },
  limit: number,
  offset: number,
): Promise<QueueRow[]> {
  const { results } = await db.$client
    .prepare(
      `SELECT r.*, u.username AS reporter_name,
              (SELECT count(*) FROM reports o
               WHERE o.target_type = r.target_type AND o.target_id = r.target_id AND o.state = 'pending') AS open_reports
       FROM reports r JOIN users u ON u.id = r.reporter_id
       WHERE r.state = ?1 AND (?2 IS NULL OR r.target_type = ?2)
       ORDER BY open_reports DESC, r.created_at ASC, r.id ASC
       LIMIT ?3 OFFSET ?4`,
    )
    .bind(filter.state, filter.targetType ?? null, limit, offset)
    .all<Record<string, unknown>>();
  return results.map((r) => ({
    id: String(r.id),
    reporterId: String(r.reporter_id),
    targetType: r.target_type as TargetType,
    targetId: String(r.target_id),
    reason: r.reason as ReportRow["reason"],
    message: (r.message as string | null) ?? null,
    startAt: (r.start_at as number | null) ?? null,
    endAt: (r.end_at as number | null) ?? null,
    state: r.state as ReportState,
    outcome: (r.outcome as string | null) ?? null,
    settledBy: (r.settled_by as string | null) ?? null,
    settledAt: r.settled_at === null ? null : new Date(Number(r.settled_at)),
    createdAt: new Date(Number(r.created_at)),
    reporterName: String(r.reporter_name),
    openReports: Number(r.open_reports),
  }));
}

/** Statement: settles every pending report of a target, with `state` and `outcome`. */
export const settleReports = (
  db: Database,
  target: { type: TargetType; id: string },
  state: Exclude<ReportState, "pending">,
  outcome: string,
  moderatorId: string,
  at: Date,
) =>
  db
    .update(reports)
    .set({ state, outcome, settledBy: moderatorId, settledAt: at })
    .where(and(eq(reports.targetType, target.type), eq(reports.targetId, target.id), eq(reports.state, "pending")));

/** Statement: tells each reporter with a pending report of the target how it ended (run before settling). */
export const notifyReporters = (db: Database, target: { type: TargetType; id: string }, message: string) =>
  db.insert(notifications).select(
    db
      .select({
        id: sql<string>`lower(hex(randomblob(10)))`.as("id"),
        userId: reports.reporterId,
        type: sql<string>`'report_settled'`.as("type"),
        videoId: sql<null>`NULL`.as("video_id"),
        message: sql<string>`${message}`.as("message"),
        read: sql<number>`0`.as("read"),
        createdAt: sql<number>`(unixepoch('subsec') * 1000)`.as("created_at"),
      })
      .from(reports)
      .where(and(eq(reports.targetType, target.type), eq(reports.targetId, target.id), eq(reports.state, "pending"))),
  );

export interface LogLine {
  id: string;
  actorId: string;
  action: string;
  targetType: string;
  targetId: string;
  reason: string | null;
  reportId?: string | null;
}

/** Statement: one line of the moderation log (append-only: triggers refuse updates and deletes). */
export const logAction = (db: Database, line: LogLine) => db.insert(moderationLog).values(line);

/** The log, newest first, with each actor's name (a command-line action has none). */
export async function listLog(db: Database, limit: number, offset: number) {
  return db
    .select({ line: moderationLog, actorName: users.username })
    .from(moderationLog)
    .leftJoin(users, eq(users.id, moderationLog.actorId))
    .orderBy(desc(moderationLog.createdAt), desc(moderationLog.id))
    .limit(limit)
    .offset(offset)
    .all();
}

/** Runs one moderation action's statements together: all of them land, or none. */
export async function runAction(db: Database, statements: [Statement, ...Statement[]]) {
  await db.batch(statements);
}

// Roles and suspensions.

/** Who a token names, as of now: the auth middleware reads this on every authenticated request. */
export async function findAccount(db: Database, userId: string) {
  return db
    .select({
      id: users.id,
      username: users.username,
      email: users.email,
      role: users.role,
      suspendedUntil: users.suspendedUntil,
    })
    .from(users)
    .where(eq(users.id, userId))
    .get();
}

export const setRole = (db: Database, userId: string, role: Role) =>
  db.update(users).set({ role }).where(eq(users.id, userId));

/** Statement: suspends an account (a trigger hides its videos), until `until`. */
export const suspend = (db: Database, userId: string, until: Date, reason: string) =>
  db.update(users).set({ suspendedUntil: until, suspensionReason: reason }).where(eq(users.id, userId));

/** Statement: lifts a suspension (the trigger brings the account's videos back). */
export const lift = (db: Database, userId: string) =>
  db.update(users).set({ suspendedUntil: null, suspensionReason: null }).where(eq(users.id, userId));

/** Accounts whose suspension has run out by `now` (the cron lifts them). */
export async function expiredSuspensions(db: Database, now: Date, limit = 100) {
  return db
    .select({ id: users.id })
    .from(users)
    .where(and(isNotNull(users.suspendedUntil), lte(users.suspendedUntil, now)))
    .limit(limit)
    .all();
}

/** The ids of an account's videos (to purge their cached answers when it is suspended or restored). */
export async function videoIdsOf(db: Database, ownerId: string, limit = 1000) {
  const rows = await db.select({ id: videos.id }).from(videos).where(eq(videos.ownerId, ownerId)).limit(limit).all();
  return rows.map((r) => r.id);
}

// Blocked videos.

/** Statement: blocks a video; false-y (no row) when it was already blocked or is gone. */
export const blockVideo = (db: Database, videoId: string, reason: string, at: Date) =>
  db.update(videos).set({ blockedAt: at, blockedReason: reason }).where(eq(videos.id, videoId));

export const unblockVideo = (db: Database, videoId: string) =>
  db.update(videos).set({ blockedAt: null, blockedReason: null }).where(eq(videos.id, videoId));

/** Statement: the owner's notice that a video was blocked. */
export const notifyBlocked = (db: Database, row: { id: string; userId: string; videoId: string; message: string }) =>
  db
    .insert(notifications)
    .values({ ...row, type: "video_blocked" })
    .onConflictDoUpdate({
      target: [notifications.userId, notifications.type, notifications.videoId],
      set: { message: row.message, read: false, createdAt: new Date() },
    });

// Report targets.

/** What a report's target looks like to moderators, looked up for a page of reports in three queries (comments in `COMMENTS`). */
export async function targetSummaries(db: Database, commentsDb: Database, refs: { type: TargetType; id: string }[]) {
  const ids = (type: TargetType) => [...new Set(refs.filter((r) => r.type === type).map((r) => r.id))];
  const [videoIds, commentIds, userIds] = [ids("video"), ids("comment"), ids("user")];
  const [videoRows, commentRows, userRows] = await Promise.all([
    videoIds.length
      ? db
          .select({
            id: videos.id,
            title: videos.title,
            thumbnails: videos.thumbnails,
            ownerId: videos.ownerId,
            ownerName: users.username,
            blockedAt: videos.blockedAt,
          })
          .from(videos)
          .innerJoin(users, eq(users.id, videos.ownerId))
          .where(inArray(videos.id, videoIds))
          .all()
      : [],
    // Comments are in the `COMMENTS` database.
    commentsByIds(commentsDb, commentIds),
    userIds.length
      ? db
          .select({ id: users.id, username: users.username, suspendedUntil: users.suspendedUntil })
          .from(users)
          .where(inArray(users.id, userIds))
          .all()
      : [],
  ]);
  return {
    videos: new Map(videoRows.map((v) => [v.id, v])),
    comments: new Map(commentRows.map((c) => [c.id, c])),
    users: new Map(userRows.map((u) => [u.id, u])),
  };
}
