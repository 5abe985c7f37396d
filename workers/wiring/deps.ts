import type { Database } from "../env";
import { errorField, log } from "../lib/log";
import { UNKNOWN_REGION } from "../lib/region";
import { secretBox } from "../lib/secret-box";
import { type Resolution, resolveAddresses } from "../lib/webhook-url";
import type { TokenConfig } from "../services/accounts";
import type { AnalyticsDeps } from "../services/analytics";
import type { AutoCaptionDeps } from "../services/auto-captions";
import type { CaptionDeps } from "../services/captions";
import type { CommentDeps, CommentStores } from "../services/comments";
import type { EngagementDeps } from "../services/engagement";
import type { HistoryDeps } from "../services/history";
import type { LiveDeps } from "../services/live";
import type { ModerationDeps } from "../services/moderation";
import { type FanOutDeps, type NotificationDeps, startNewVideoFanOut } from "../services/notifications";
import type { PlaybackEventDeps } from "../services/playback-events";
import { type ProcessingDeps, statusOf } from "../services/processing";
import type { RecommendationDeps } from "../services/recommendations/recommend";
import { type TrendingDeps, trendingIds } from "../services/trending";
import type { UploadDeps } from "../services/uploads";
import type { BlockDeps } from "../services/user-blocks";
import type { EditHooks, VideoDeps } from "../services/videos";
import type { DeliveryDeps } from "../services/webhook-delivery";
import { type WebhookHooks, webhookHooks } from "../services/webhook-events";
import type { WebhookDeps } from "../services/webhooks";
import { dropVideoVersions } from "../storage/caption-cues";
import { database } from "../storage/db";
import { purgeVideo } from "../storage/edge-cache";
import { mediaStore, mediaUrl } from "../storage/media";
import { type VectorBackend, vectorBackend } from "../vectors/backend";
import { analyticsQueryFromEnv, analyticsSinkFromEnv } from "./analytics";
import { edgePurge, mediaPurge } from "./edge-purge";
import { roomMemory, userHistoryOf } from "./history";
import { userInboxOf } from "./inbox";
import { producer, send } from "./queues";
import { coViewStore, roomOf } from "./rooms";
import { transcoderFromEnv } from "./transcoder";
import { transcriberFromEnv } from "./transcriber";

const int = (value: string | undefined, fallback: number) => {
  const n = Number(value);
  return Number.isFinite(n) && n > 0 ? n : fallback;
};

const flag = (value: string | undefined) => value === "true";

const handles = new WeakMap<D1Database, Database>();

/**
 * The D1 handle over this environment's binding, made once per binding in an isolate: the
 * handle holds no request state, and every request opens one (request-id middleware).
 */
export function databaseOf(env: Env): Database {
  return handleOf(env.DB);
}

function handleOf(binding: D1Database): Database {
  const known = handles.get(binding);
  if (known) return known;
  const db = database(binding);
  handles.set(binding, db);
  return db;
}

/**
 * The request's catalogue beside the `COMMENTS` database, where comments are
 * (services/comments.ts `CommentStores`). `COMMENTS` is read from its primary: no session.
 */
export function commentStores(env: Env, db: Database): CommentStores {
  return { db, comments: handleOf(env.COMMENTS) };
}

/**
 * A D1 bookmark as a client may send one back (`x-d1-bookmark`, or the bookmark cookie): hex
 * groups joined by dashes, as D1 writes them. Anything else is ignored, never handed to D1.
 */
export const BOOKMARK_PATTERN = /^[0-9a-f]{8}(?:-[0-9a-f]{8,64}){1,4}$/i;

/** A request's database: a D1 session, and the bookmark of the latest state it has seen. */
export interface RequestDatabase {
  db: Database;
  /** Null before the session ran a statement. */
  bookmark(): string | null;
}

/**
 * A request's D1 session (D1's Sessions API, which turns on read replicas in production and
 * runs against the one local database under `npm start` and the tests). From the client's
 * bookmark when it sends a valid one, so that it reads at least what it wrote (read-your-
 * writes across requests, on any replica); else a read starts on whichever instance is
 * nearest (`first-unconstrained`) and a write on the primary (`first-primary`, where it goes
 * anyway). Within one request the session is sequentially consistent.
 */
export function sessionOf(env: Env, bookmark: string | undefined, write: boolean): RequestDatabase {
  if (typeof env.DB.withSession !== "function") return { db: databaseOf(env), bookmark: () => null };
  const start =
    bookmark && BOOKMARK_PATTERN.test(bookmark) ? bookmark : write ? "first-primary" : "first-unconstrained";
  const session = env.DB.withSession(start);
  return { db: database(session), bookmark: () => session.getBookmark() };
}

const stores = new WeakMap<R2Bucket, ReturnType<typeof mediaStore>>();

/**
 * What serving media needs, and nothing else: the D1 handle and the bucket's store, each
 * made once per binding in an isolate (a segment hit is the platform's hottest path).
 */
export function mediaDeps(env: Env, db: Database): { db: Database; media: ReturnType<typeof mediaStore> } {
  let media = stores.get(env.MEDIA);
  if (!media) {
    media = mediaStore(env.MEDIA);
    stores.set(env.MEDIA, media);
  }
  return { db, media };
}

/** The database and the media bucket: what video-wide work (deletes, outputs, the cron) needs. */
export function videoDeps(env: Env, db: Database): VideoDeps {
  const reindex = reindexVideo(env);
  const hooks = webhookHooksOf(env, db);
  return {
    db,
    comments: commentStores(env, db).comments,
    media: mediaStore(env.MEDIA),
    // Its caption cues live in another database, which the rows' cascade does not reach (what
    // this misses, the cron's sweep finds: storage/captions.ts `sweepVersions`).
    deleted: async (videoId, ownerId) => {
      await Promise.all([
        reindex(videoId),
        quietly("video.deleted", hooks.videoDeleted(videoId, ownerId)),
        dropVideoVersions(env.CAPTIONS, videoId).catch((err) =>
          log("warn", "caption cues left for the sweep", { video_id: videoId, error: errorField(err) }),
        ),
      ]);
    },
  };
}

export function tokenConfig(env: Env): TokenConfig {
  return { secret: env.JWT_SECRET, ttlSeconds: int(env.JWT_TTL_SECONDS, 7 * 24 * 3600) };
}

/** What the upload service needs, read from the bindings and settings. */
export async function uploadDeps(env: Env, db: Database): Promise<UploadDeps> {
  // The AWS SDK is loaded only when S3 credentials exist, keeping it off the common path.
  const presigner =
    env.R2_SECRET_ACCESS_KEY && env.R2_S3_ENDPOINT
      ? (await import("../storage/s3-presign")).presignerFromEnv(env)
      : undefined;
  return {
    db,
    media: mediaStore(env.MEDIA),
    queue: producer(env, "video-upload"),
    config: {
      maxUploadBytes: int(env.MAX_UPLOAD_BYTES, 10 * 1024 ** 3),
      defaultPartSize: int(env.DEFAULT_PART_SIZE, 8 * 1024 ** 2),
      ttlHours: int(env.UPLOAD_TTL_HOURS, 24),
    },
    presigner,
  };
}

/** What the processing service needs. */
export function processingDeps(env: Env, db: Database): ProcessingDeps {
  return {
    db,
    media: mediaStore(env.MEDIA),
    transcoder: transcoderFromEnv(env),
    readyQueue: producer(env, "video-ready"),
    scheduleWatchdog: async (videoId, delaySeconds) => {
      await send(
        env,
        "video-upload",
        { kind: "watchdog", video_id: videoId },
        { delaySeconds: Math.min(43_200, Math.max(0, Math.round(delaySeconds))) },
      );
    },
    changed: async (videoId) => {
      await purgeVideo(videoId);
      const now = await statusOf(db, videoId);
      if (!now) return;
      const { status, progress, playable, stage } = now.body;
      // The room is a courtesy to watchers; a failure there must not fail the pipeline.
      await roomOf(env, videoId)
        .publishStatus({ status, progress, playable, ...(stage ? { stage } : {}) })
        .catch((err: unknown) => log("warn", "room status relay failed", { video_id: videoId, error: String(err) }));
    },
    failed: (videoId, code, message) =>
      quietly("video.failed", webhookHooksOf(env, db).videoFailed(videoId, code, message)),
    config: {
      publicUrl: env.PUBLIC_URL,
      signingSecret: env.SIGNING_SECRET,
      stallSeconds: int(env.JOB_STALL_SECONDS, 120),
      checkSeconds: int(env.JOB_CHECK_SECONDS, 10),
      maxAttempts: int(env.JOB_MAX_ATTEMPTS, 5),
      segmentSeconds: int(env.HLS_SEGMENT_SECONDS, 6),
      maxDurationSeconds: int(env.MAX_VIDEO_SECONDS, 4 * 3600),
      codec: env.VIDEO_CODEC === "h265" ? "h265" : "h264",
      segmentType: env.HLS_SEGMENT_TYPE === "ts" ? "ts" : "fmp4",
    },
  };
}

/** What likes, views, shares and watch positions need. */
export function engagementDeps(env: Env, db: Database): EngagementDeps {
  return {
    db,
    events: producer(env, "watch-events"),
    bump: (videoId, delta) => roomOf(env, videoId).bump(delta),
    markView: (videoId, mark) => roomOf(env, videoId).markView(mark),
    history: (userId) => userHistoryOf(env, userId),
  };
}

/** What watch history needs: the catalogue (the videos) and each user's history object. */
export function historyDeps(env: Env, db: Database): HistoryDeps {
  return { db, history: (userId) => userHistoryOf(env, userId) };
}

/** What player events need: the catalogue (who may see the video) and the analytics sink (ANALYTICS). */
export function playbackEventDeps(env: Env, db: Database): PlaybackEventDeps {
  return { db, sink: analyticsSinkFromEnv(env) };
}

/** What the studio's analytics need: the catalogue (whose video, which channel) and the store's reader (ANALYTICS). */
export function analyticsDeps(env: Env, db: Database): AnalyticsDeps {
  return { db, query: analyticsQueryFromEnv(env) };
}

/**
 * What comments and the live side need: the database, each video's room (ordered writes,
 * watchers, and the hours where a published comment counts towards trending in `region`).
 */
export function commentDeps(env: Env, db: Database, region = UNKNOWN_REGION): CommentDeps {
  return {
    ...commentStores(env, db),
    room: (videoId) => roomOf(env, videoId),
    joins: roomMemory(env),
    region,
    posted: (comment) => quietly("comment", webhookHooksOf(env, db).commentPosted(comment)),
  };
}

/** What the live room's REST side needs: the catalogue and each video's hub. */
export function liveDeps(env: Env, db: Database): LiveDeps {
  return { db, room: (videoId) => roomOf(env, videoId) };
}

/** What blocks between users need: the catalogue, and the rooms where the blocker has sockets open. */
export function blockDeps(env: Env, db: Database): BlockDeps {
  return {
    db,
    joins: roomMemory(env),
    blocksChanged: (videoId, viewerId, blockedId, blocked) =>
      roomOf(env, videoId).viewerBlocks(viewerId, blockedId, blocked),
  };
}

/** What the `new_video` fan-out needs: the database, its own queue and the page size. */
export function fanOutDeps(env: Env, db: Database): FanOutDeps {
  return {
    db,
    queue: producer(env, "notification-fanout"),
    pageSize: Math.min(1000, int(env.FANOUT_PAGE_SIZE, 500)),
    inbox: (userId) => userInboxOf(env, userId),
  };
}

/** What the notifications list needs: D1 (the rare notices) and the user's inbox (new videos). */
export function notificationDeps(env: Env, db: Database): NotificationDeps {
  return { db, inbox: (userId) => userInboxOf(env, userId) };
}

/** What trending needs: the database, the KV namespace that holds the lists, and each video's room (its hours and viewers). */
export function trendingDeps(env: Env, db: Database): TrendingDeps {
  return {
    db,
    lists: env.CACHE,
    activity: (videoId, fromHour, cap) => roomOf(env, videoId).trendingActivity(fromHour, cap),
  };
}

/** Asks for a video's content vector to be brought in line with its row (the `video-index` queue). */
export function reindexVideo(env: Env) {
  return async (videoId: string) => {
    await send(env, "video-index", { video_id: videoId });
  };
}

/** What the `video-index` consumer needs: the catalogue and the vector backend. */
export function indexDeps(env: Env) {
  return { db: databaseOf(env), d1: env.DB, vectors: vectorBackend(env) };
}

/** Who hears of an owner's edit, from the API or the studio: the vector index and subscribers. */
export function editHooks(env: Env, db: Database): EditHooks {
  const fanOut = fanOutDeps(env, db);
  return {
    changed: reindexVideo(env),
    published: async (videoId) => void (await startNewVideoFanOut(fanOut, videoId)),
  };
}

/** What recommendations and related videos need; the vector backend is built only on a cache miss. */
export function recommendationDeps(env: Env, db: Database, origin: string): RecommendationDeps {
  let vectors: VectorBackend | undefined;
  return {
    db,
    kv: env.CACHE,
    vectors: () => {
      vectors ??= vectorBackend(env);
      return vectors;
    },
    trending: (region, limit) => trendingIds(env.CACHE, region, limit),
    history: (userId) => userHistoryOf(env, userId),
    coViews: coViewStore(env),
    origin,
  };
}

/** What moderators' actions need: the catalogue, purges that reach every data centre, the rooms, the vector index. */
export function moderationDeps(env: Env, db: Database, waitUntil: (promise: Promise<unknown>) => void): ModerationDeps {
  const purge = edgePurge(env);
  return {
    db,
    comments: commentStores(env, db).comments,
    purge,
    rooms: {
      close: (videoId, reason) => roomOf(env, videoId).close(reason),
      closeViewer: (videoId, userId, reason) => roomOf(env, videoId).closeViewer(userId, reason),
    },
    joins: roomMemory(env),
    reindex: reindexVideo(env),
    removeComment: async (videoId, commentId) => {
      const removed = await roomOf(env, videoId).moderatorRemove(commentId);
      await purge(videoId);
      return removed;
    },
    waitUntil,
    blocked: (videoId, reason, at) =>
      quietly("video.blocked", webhookHooksOf(env, db).videoBlocked(videoId, reason, at)),
  };
}

// Webhooks.

/** Endpoint secrets are sealed under a key HKDF derives from SIGNING_SECRET for this purpose alone. */
const webhookSecrets = (env: Env) => secretBox(env.SIGNING_SECRET, "webhook endpoint secrets");

/** No answer within 15 s is a failed attempt (API.md). */
const WEBHOOK_TIMEOUT_MS = 15_000;

/**
 * Endpoint host names are resolved through DNS over HTTPS (WEBHOOK_DNS_URL; Workers have no
 * DNS API), looked up at each call: tests put a resolver in front of the network.
 */
const webhookResolver =
  (env: Env) =>
  (name: string): Promise<Resolution> =>
    resolveAddresses(
      (input, init) => fetch(input, init),
      env.WEBHOOK_DNS_URL || "https://cloudflare-dns.com/dns-query",
      name,
    );

/** What endpoint management and event production need. */
export function webhookDeps(env: Env, db: Database): WebhookDeps {
  return {
    db,
    secrets: webhookSecrets(env),
    queue: producer(env, "webhook-deliveries"),
    config: {
      allowLoopback: flag(env.WEBHOOK_ALLOW_LOOPBACK),
      maxEndpoints: int(env.WEBHOOK_MAX_ENDPOINTS, 20),
    },
    resolve: webhookResolver(env),
  };
}

/** What the `webhook-deliveries` consumer needs: the network, the clock and the jitter too. */
export function deliveryDeps(env: Env, db: Database): DeliveryDeps {
  return {
    db,
    secrets: webhookSecrets(env),
    queue: producer(env, "webhook-deliveries"),
    // Looked up at each call: tests put a receiver in front of the network.
    fetch: (input, init) => fetch(input, init),
    resolve: webhookResolver(env),
    config: { allowLoopback: flag(env.WEBHOOK_ALLOW_LOOPBACK), timeoutMs: WEBHOOK_TIMEOUT_MS },
    random: Math.random,
    now: () => new Date(),
  };
}

/** The webhook events flows produce (video ready, failed, deleted, blocked; comments). */
export function webhookHooksOf(env: Env, db: Database): WebhookHooks {
  return webhookHooks({ db, queue: producer(env, "webhook-deliveries"), publicUrl: env.PUBLIC_URL });
}

/**
 * A webhook event made on a request's path: its failure is logged, never the request's (the
 * comment is stored, the video deleted, whatever happens to the integrator's copy of the news).
 */
async function quietly(what: string, work: Promise<void>): Promise<void> {
  try {
    await work;
  } catch (err) {
    log("error", "webhook event not recorded", { event: what, error: errorField(err) });
  }
}

/**
 * What captions need: the catalogue, the bucket, and purges of the video's cached answers and
 * of its rewritten master on every origin it is served from (this request's and PUBLIC_URL's).
 */
export function captionDeps(env: Env, db: Database, origin: string): CaptionDeps {
  const purgeVideo = edgePurge(env);
  const purgeMedia = mediaPurge(env);
  const origins = [...new Set([origin, env.PUBLIC_URL ? new URL(env.PUBLIC_URL).origin : origin])];
  return {
    db,
    cueDb: env.CAPTIONS,
    media: mediaStore(env.MEDIA),
    changed: async (videoId, paths) => {
      await Promise.all([
        purgeVideo(videoId),
        purgeMedia(origins.flatMap((o) => paths.map((p) => mediaUrl(o, videoId, p)))),
      ]);
    },
    ready: (videoId, track, revision) =>
      quietly("video.captions_ready", webhookHooksOf(env, db).captionsReady(videoId, track, revision)),
    config: { segmentType: env.HLS_SEGMENT_TYPE === "ts" ? "ts" : "fmp4" },
  };
}

/**
 * What auto captions need: what captions need, the transcriber (TRANSCRIBER), the `captions`
 * queue, the video's room, and whether ready videos are transcribed by themselves
 * (AUTO_CAPTIONS). Queue consumers have no request: PUBLIC_URL is their origin.
 */
export function autoCaptionDeps(env: Env, db: Database, origin?: string): AutoCaptionDeps {
  const home = env.PUBLIC_URL ? new URL(env.PUBLIC_URL).origin : "";
  const base = captionDeps(env, db, origin ?? home);
  return {
    ...base,
    transcriber: (videoId) => transcriberFromEnv(env, videoId),
    queue: producer(env, "captions"),
    announce: (videoId, language, status) => roomOf(env, videoId).publishCaptions({ language, status }),
    origin: home || origin || "",
    config: { ...base.config, autoCaptions: flag(env.AUTO_CAPTIONS) },
  };
}
