import type { AuthUser, Database } from "../env";
import { notFound, problem, validationFailed } from "../lib/errors";
import { newId } from "../lib/ids";
import type { ReportAction, ReportBody } from "../schemas/moderation";
import { mediaUrl } from "../storage/media";
import * as store from "../storage/moderation";
import type { ThumbnailPaths } from "../storage/schema";
import type { CommentStores } from "./comments";
import { blockVideo, type ModerationDeps, type Settling, suspendUser } from "./moderation";
import { accessOf, isVisible } from "./videos";

/**
 * Reports (API.md "Trust and safety"): anyone signed in reports a video, a comment or a user
 * they can see; moderators work through the queue, most reported targets first, and one
 * action on a report settles every open report of its target.
 */

type Summaries = Awaited<ReturnType<typeof store.targetSummaries>>;

/** Who a target belongs to: its owner, author or the user itself (never told who reported them). */
function ownerOf(target: { type: store.TargetType; id: string }, s: Summaries): string | undefined {
  if (target.type === "video") return s.videos.get(target.id)?.ownerId;
  if (target.type === "comment") return s.comments.get(target.id)?.userId;
  return s.users.get(target.id)?.id;
}

/** Whether the reporter can see the target: a report never reveals what they could not. */
async function canSee(db: Database, reporter: AuthUser, target: { type: store.TargetType; id: string }, s: Summaries) {
  if (target.type === "user") return s.users.has(target.id);
  const videoId = target.type === "video" ? target.id : s.comments.get(target.id)?.videoId;
  if (!videoId) return false;
  if (target.type === "comment" && s.comments.get(target.id)?.deleted) return false;
  return isVisible(await accessOf(db, videoId), reporter);
}

/** Files a report: 404 for a target the reporter cannot see, 409 while their earlier one of it is pending. */
export async function fileReport({ db, comments }: CommentStores, reporter: AuthUser, body: ReportBody) {
  const target = body.target;
  const times = body.start_at !== undefined || body.end_at !== undefined;
  if (times && target.type !== "video") {
    throw validationFailed([{ name: "start_at", reason: "only a video report points at a time" }]);
  }
  if (body.start_at !== undefined && body.end_at !== undefined && body.end_at < body.start_at) {
    throw validationFailed([{ name: "end_at", reason: "must not be before start_at" }]);
  }
  const summaries = await store.targetSummaries(db, comments, [target]);
  if (!(await canSee(db, reporter, target, summaries))) throw notFound(target.type === "user" ? "User" : "Target");
  if (target.type === "user" && target.id === reporter.id) {
    throw validationFailed([{ name: "target.id", reason: "you cannot report yourself" }]);
  }
  const row = await store.insertReport(db, {
    id: newId(),
    reporterId: reporter.id,
    targetType: target.type,
    targetId: target.id,
    reason: body.reason,
    message: body.message?.trim() || null,
    startAt: body.start_at ?? null,
    endAt: body.end_at ?? null,
  });
  if (!row) {
    throw problem("already_reported", { detail: "Your earlier report of this is still waiting for a moderator." });
  }
  return { id: row.id, state: "pending" as const, created_at: row.createdAt.toISOString() };
}

const reportOut = (r: store.ReportRow) => ({
  id: r.id,
  target: { type: r.targetType, id: r.targetId },
  reason: r.reason,
  message: r.message,
  start_at: r.startAt,
  end_at: r.endAt,
  state: r.state,
  outcome: r.outcome,
  created_at: r.createdAt.toISOString(),
  settled_at: r.settledAt?.toISOString() ?? null,
});

/** The caller's own reports, newest first, with how each ended. */
export async function myReports(db: Database, userId: string, page: number, limit: number) {
  const rows = await store.reportsOf(db, userId, limit, (page - 1) * limit);
  return { items: rows.map(reportOut), page, limit };
}

function summaryOf(origin: string, target: { type: store.TargetType; id: string }, s: Summaries) {
  if (target.type === "video") {
    const v = s.videos.get(target.id);
    const thumbs = v?.thumbnails as ThumbnailPaths | null | undefined;
    const thumb = thumbs?.default ?? thumbs?.medium;
    return {
      type: "video" as const,
      id: target.id,
      title: v?.title ?? null,
      thumbnail: v && thumb ? mediaUrl(origin, v.id, thumb) : null,
      owner: v ? { id: v.ownerId, username: v.ownerName } : null,
      blocked: !!v?.blockedAt,
    };
  }
  if (target.type === "comment") {
    const c = s.comments.get(target.id);
    return {
      type: "comment" as const,
      id: target.id,
      content: c?.content ?? null,
      video_id: c?.videoId ?? null,
      author: c ? { id: c.userId, username: c.username } : null,
      deleted: c?.deleted ?? true,
    };
  }
  const u = s.users.get(target.id);
  return { type: "user" as const, id: target.id, username: u?.username ?? null, suspended: !!u?.suspendedUntil };
}

/**
 * The moderators' queue: one item per report, most reported targets first, then oldest
 * first, each with a summary of its target. A moderator who is the reported party sees no
 * reporter: the reported never learn who reported them.
 */
export async function reportQueue(
  { db, comments }: CommentStores,
  moderator: AuthUser,
  filter: { state: store.ReportState; targetType?: store.TargetType },
  page: number,
  limit: number,
  origin: string,
) {
  const rows = await store.reportQueue(db, filter, limit, (page - 1) * limit);
  const summaries = await store.targetSummaries(
    db,
    comments,
    rows.map((r) => ({ type: r.targetType, id: r.targetId })),
  );
  return {
    items: rows.map((r) => {
      const target = { type: r.targetType, id: r.targetId };
      const hidden = ownerOf(target, summaries) === moderator.id;
      return {
        ...reportOut(r),
        target: summaryOf(origin, target, summaries),
        reporter: hidden ? null : { id: r.reporterId, username: r.reporterName },
        report_count: r.openReports,
      };
    }),
    page,
    limit,
  };
}

/** Which actions fit which targets; `suspend_user` suspends the target's owner or author. */
const FITS: Record<ReportAction, store.TargetType[]> = {
  dismiss: ["video", "comment", "user"],
  remove_comment: ["comment"],
  block_video: ["video"],
  suspend_user: ["video", "comment", "user"],
};

const NOTICES: Record<ReportAction, string> = {
  dismiss: "Thanks for your report. We looked at it and took no action.",
  remove_comment: "Thanks for your report. We removed the comment.",
  block_video: "Thanks for your report. We blocked the video.",
  suspend_user: "Thanks for your report. We suspended the account.",
};

/**
 * Acts on a report: every open report of its target is settled with it (accepted, or
 * rejected for `dismiss`), its reporters notified, and the action logged with it.
 */
export async function actOnReport(
  deps: ModerationDeps,
  moderator: AuthUser,
  reportId: string,
  input: { action: ReportAction; note?: string },
  now = new Date(),
) {
  const report = await store.findReport(deps.db, reportId);
  if (!report) throw notFound("Report");
  if (report.state !== "pending") {
    throw problem("already_settled", { detail: `This report was already ${report.state}.` });
  }
  if (!FITS[input.action].includes(report.targetType)) {
    throw validationFailed([{ name: "action", reason: `does not apply to a ${report.targetType} report` }]);
  }
  const target = { type: report.targetType, id: report.targetId };
  const settles: Settling = { reportId, target, notice: NOTICES[input.action] };
  const reason = input.note?.trim() || `Reported: ${report.reason.replaceAll("_", " ")}`;
  switch (input.action) {
    case "dismiss":
      await store.runAction(deps.db, [
        store.logAction(deps.db, {
          id: newId(),
          actorId: moderator.id,
          action: "dismiss",
          targetType: target.type,
          targetId: target.id,
          reason: input.note?.trim() || null,
          reportId,
        }),
        store.notifyReporters(deps.db, target, settles.notice),
        store.settleReports(deps.db, target, "rejected", "dismiss", moderator.id, now),
      ]);
      break;
    case "remove_comment":
      await removeReportedComment(deps, moderator, settles, reason, now);
      break;
    case "block_video":
      await blockVideo(deps, moderator, target.id, reason, settles, now);
      break;
    case "suspend_user": {
      const summaries = await store.targetSummaries(deps.db, deps.comments, [target]);
      const userId = ownerOf(target, summaries);
      if (!userId) throw notFound("User");
      await suspendUser(deps, moderator, userId, { reason }, settles, now);
      break;
    }
  }
  const settled = await store.findReport(deps.db, reportId);
  return reportOut(settled ?? report);
}

/** A reported comment removed: its text goes (a stub keeps its replies), logged and settled in one batch. */
async function removeReportedComment(
  deps: ModerationDeps,
  moderator: AuthUser,
  settles: Settling,
  reason: string,
  now: Date,
) {
  const summaries = await store.targetSummaries(deps.db, deps.comments, [settles.target]);
  const comment = summaries.comments.get(settles.target.id);
  if (!comment) throw notFound("Comment");
  // Removed first, by its video's room (in `COMMENTS`, another database); the log line
  // and the settled reports follow in one batch. Removing again, after a failed batch, is
  // harmless: the stub stays a stub.
  await deps.removeComment(comment.videoId, comment.id);
  await store.runAction(deps.db, [
    store.logAction(deps.db, {
      id: newId(),
      actorId: moderator.id,
      action: "remove_comment",
      targetType: "comment",
      targetId: comment.id,
      reason,
      reportId: settles.reportId,
    }),
    store.notifyReporters(deps.db, settles.target, settles.notice),
    store.settleReports(deps.db, settles.target, "accepted", "remove_comment", moderator.id, now),
  ]);
}
