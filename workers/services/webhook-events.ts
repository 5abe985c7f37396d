import type { Database } from "../env";
import type { VideoReadyMessage } from "../schemas/processing";
import type { BatchProducer } from "../schemas/queues";
import type { WebhookMessage } from "../schemas/webhooks";
import { mediaUrl } from "../storage/media";
import { findVideo } from "../storage/videos";
import { accessOf } from "./videos";
import { emitEvent, type WebhookEvent } from "./webhooks";

/**
 * The platform's webhook events, made where its notifications are (API.md "Webhooks"): each
 * flow calls one of these through a hook in its deps, with what it knows. An event's key says
 * what happened, so the same happening, reported twice (a redelivered queue message, a
 * repeated request), is one event.
 */
export interface WebhookHooks {
  /** The `video-ready` consumer: a video finished processing. */
  videoReady(message: VideoReadyMessage): Promise<void>;
  /** Processing gave up on a video (services/processing.ts `failProcessing`). */
  videoFailed(videoId: string, code: string, message: string): Promise<void>;
  /** Its owner deleted it (services/videos.ts `deleteVideo`); the row is gone by then. */
  videoDeleted(videoId: string, ownerId: string): Promise<void>;
  /** A moderator blocked it (services/moderation.ts `blockVideo`). */
  videoBlocked(videoId: string, reason: string, at: Date): Promise<void>;
  /**
   * A comment was posted on a video: `comment.created`, or `comment.held` when the channel's
   * rules hold it for review (and `comment.created` when the owner approves it).
   */
  commentPosted(comment: PostedComment): Promise<void>;
  /**
   * A caption track became ready: an uploaded one once stored (services/captions.ts
   * `putTrack`), with `revision` naming this version of the track (so a repeated call is one
   * event, and a new version another).
   */
  captionsReady(
    videoId: string,
    track: { language: string; label: string; source: string; url: string },
    revision: string,
  ): Promise<void>;
}

export interface PostedComment {
  id: string;
  video_id: string;
  parent_id: string | null;
  user: { id: string; username: string } | null;
  content: string;
  created_at: string;
  /** `held` when the channel's rules hold it for review. */
  status?: string;
}

export interface WebhookEventDeps {
  db: Database;
  queue: BatchProducer<WebhookMessage>;
  /** Absolute URLs in events start here (PUBLIC_URL); empty leaves them relative. */
  publicUrl: string;
}

export function webhookHooks(deps: WebhookEventDeps): WebhookHooks {
  const base = deps.publicUrl.replace(/\/$/, "");
  const emit = async (event: WebhookEvent) => void (await emitEvent(deps, event));
  return {
    async videoReady(message) {
      const video = await findVideo(deps.db, message.video_id);
      if (!video) return; // deleted while the message waited: `video.deleted` says so
      await emit({
        key: `video.ready:${video.id}`,
        type: "video.ready",
        userId: video.ownerId,
        data: {
          video_id: video.id,
          title: video.title,
          visibility: video.visibility,
          status: "ready",
          duration: video.duration === null ? null : video.duration / 1000,
          width: video.width,
          height: video.height,
          watch_url: `${base}/watch/${video.id}`,
          hls_url: base + mediaUrl("", video.id, "master.m3u8"),
          thumbnail_url: message.urls.thumbnail ? base + message.urls.thumbnail : null,
        },
        at: video.publishedAt ?? undefined,
      });
    },
    async videoFailed(videoId, code, message) {
      const video = await findVideo(deps.db, videoId);
      if (!video) return;
      await emit({
        key: `video.failed:${videoId}`,
        type: "video.failed",
        userId: video.ownerId,
        data: { video_id: videoId, title: video.title, status: "failed", error: { code, message } },
      });
    },
    async videoDeleted(videoId, ownerId) {
      await emit({
        key: `video.deleted:${videoId}`,
        type: "video.deleted",
        userId: ownerId,
        data: { video_id: videoId },
      });
    },
    async videoBlocked(videoId, reason, at) {
      const video = await findVideo(deps.db, videoId);
      if (!video) return;
      await emit({
        key: `video.blocked:${videoId}:${at.getTime()}`,
        type: "video.blocked",
        userId: video.ownerId,
        data: { video_id: videoId, title: video.title, reason, blocked_at: at.toISOString() },
        at,
      });
    },
    async commentPosted(comment) {
      const access = await accessOf(deps.db, comment.video_id);
      if (!access) return;
      const held = comment.status === "held";
      await emit({
        key: `${held ? "comment.held" : "comment.created"}:${comment.id}`,
        type: held ? "comment.held" : "comment.created",
        userId: access.owner_id,
        data: {
          comment_id: comment.id,
          video_id: comment.video_id,
          parent_id: comment.parent_id,
          author: comment.user,
          content: comment.content,
          status: held ? "held" : "published",
          created_at: comment.created_at,
        },
        at: new Date(comment.created_at),
      });
    },
    async captionsReady(videoId, track, revision) {
      const video = await findVideo(deps.db, videoId);
      if (!video) return;
      await emit({
        key: `video.captions_ready:${videoId}:${track.language}:${revision}`,
        type: "video.captions_ready",
        userId: video.ownerId,
        data: { video_id: videoId, language: track.language, label: track.label, source: track.source, url: track.url },
      });
    },
  };
}
