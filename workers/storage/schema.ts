import { sql } from "drizzle-orm";
import { blob, index, integer, primaryKey, real, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";

// Times are integer milliseconds since the epoch; the API renders them as ISO-8601.
const createdAt = () =>
  integer("created_at", { mode: "timestamp_ms" }).notNull().default(sql`(unixepoch('subsec') * 1000)`);

export const ROLES = ["user", "moderator", "admin"] as const;
export type Role = (typeof ROLES)[number];

export const users = sqliteTable(
  "users",
  {
    id: text("id").primaryKey(),
    email: text("email").notNull(),
    username: text("username").notNull(),
    passwordHash: text("password_hash").notNull(),
    historyPaused: integer("history_paused", { mode: "boolean" }).notNull().default(false),
    /** `user`, `moderator` or `admin` (an admin is also a moderator). Read on every authenticated request. */
    role: text("role", { enum: ROLES }).notNull().default("user"),
    /**
     * Set while the account is suspended: tokens, sessions and logins are refused, its videos
     * and comments hidden from others. The cron lifts a suspension whose time has come; a
     * suspension without an end holds this at MAX_SAFE_INTEGER.
     */
    suspendedUntil: integer("suspended_until", { mode: "timestamp_ms" }),
    suspensionReason: text("suspension_reason"),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex("users_email_unique").on(t.email), uniqueIndex("users_username_unique").on(t.username)],
);

export const channels = sqliteTable(
  "channels",
  {
    id: text("id").primaryKey(),
    ownerId: text("owner_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    verified: integer("verified", { mode: "boolean" }).notNull().default(false),
    /** Kept exact by triggers on `subscriptions` (migration 0005). */
    subscriberCount: integer("subscriber_count").notNull().default(0),
    /** Public, ready videos; kept exact by triggers on `videos` (migration 0005). */
    videoCount: integer("video_count").notNull().default(0),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex("channels_owner_unique").on(t.ownerId)],
);

export const VIDEO_STATUSES = ["uploading", "processing", "ready", "failed"] as const;
export const VISIBILITIES = ["public", "unlisted", "private"] as const;

export const videos = sqliteTable(
  "videos",
  {
    id: text("id").primaryKey(),
    channelId: text("channel_id")
      .notNull()
      .references(() => channels.id, { onDelete: "cascade" }),
    ownerId: text("owner_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    title: text("title").notNull(),
    description: text("description").notNull().default(""),
    tags: text("tags", { mode: "json" }).$type<string[]>().notNull().default(sql`'[]'`),
    category: text("category"),
    visibility: text("visibility", { enum: VISIBILITIES }).notNull().default("public"),
    status: text("status", { enum: VIDEO_STATUSES }).notNull().default("uploading"),
    progress: integer("progress").notNull().default(0),
    stage: text("stage"),
    playable: integer("playable", { mode: "boolean" }).notNull().default(false),
    errorCode: text("error_code"),
    errorMessage: text("error_message"),
    sourceKey: text("source_key"),
    duration: integer("duration_ms"),
    width: integer("width"),
    height: integer("height"),
    /** What ffprobe said of the source (codec, bitrate, frame rate, audio, rotation). */
    sourceInfo: text("source_info", { mode: "json" }).$type<SourceInfo>(),
    /** Relative media paths of the thumbnails and the storyboard, once made. */
    thumbnails: text("thumbnails", { mode: "json" }).$type<ThumbnailPaths>(),
    viewCount: integer("view_count").notNull().default(0),
    likeCount: integer("like_count").notNull().default(0),
    dislikeCount: integer("dislike_count").notNull().default(0),
    commentCount: integer("comment_count").notNull().default(0),
    shareCount: integer("share_count").notNull().default(0),
    /**
     * Seconds watched, all time, added by its room's flushes (recommendations' completion:
     * watch time over views × duration). Where `video_stats_daily` kept a row per video and day.
     */
    watchSeconds: real("watch_seconds").notNull().default(0),
    /**
     * The video's co-view total (c_i of Davidson et al. 2010), flushed by its room with the
     * counters: log2 of the sum over its co-views of 2^(t / half-life), so the total at `now` is
     * 2^(co_view_log - now / half-life) (storage/signals.ts). Null until its first co-view.
     */
    coViewLog: real("co_view_log"),
    /**
     * When the video's room last flushed activity (counters, roll-ups): where trending's cron
     * finds the videos to score again. Null until then.
     */
    activeAt: integer("active_at"),
    createdAt: createdAt(),
    publishedAt: integer("published_at", { mode: "timestamp_ms" }),
    /** Set while a moderator blocks the video: gone for everyone but its owner (451). */
    blockedAt: integer("blocked_at", { mode: "timestamp_ms" }),
    blockedReason: text("blocked_reason"),
    /** Kept by a trigger on `users` (migration 0009): the owner is suspended, so the video is hidden. */
    ownerSuspended: integer("owner_suspended", { mode: "boolean" }).notNull().default(false),
    /** What is spoken, as a BCP 47 tag (API.md): auto captions transcribe in it. */
    language: text("language"),
    /**
     * Where the video's comments were while they moved to the `COMMENTS` database (migrations
     * 0026 and 0027). Read by nothing since 0027; it stays because dropping a column rewrites
     * every row of the table.
     */
    commentsHome: integer("comments_home").notNull().default(0),
  },
  (t) => [
    index("videos_channel_created").on(t.channelId, t.createdAt),
    index("videos_status").on(t.status),
    index("videos_active_at").on(t.activeAt),
    index("videos_channel_listed")
      .on(t.channelId, t.publishedAt)
      .where(
        sql`${t.visibility} = 'public' AND ${t.status} = 'ready' AND ${t.blockedAt} IS NULL AND ${t.ownerSuspended} = 0`,
      ),
  ],
);

export interface SourceInfo {
  codec?: string;
  bitrate?: number;
  frame_rate?: number;
  has_audio?: boolean;
  rotation?: number;
}

export interface ThumbnailPaths {
  default?: string;
  small?: string;
  medium?: string;
  large?: string;
  scrub?: string[];
  storyboard?: { image: string; vtt: string };
  /** A small first frame as a data: URI, shown inline by the watch page while its player loads. */
  inline?: string;
}

export const UPLOAD_STATUSES = ["open", "completing", "completed", "aborted"] as const;
export const UPLOAD_PROTOCOLS = ["chunked", "tus"] as const;

export const uploads = sqliteTable(
  "uploads",
  {
    id: text("id").primaryKey(),
    videoId: text("video_id")
      .notNull()
      .references(() => videos.id, { onDelete: "cascade" }),
    ownerId: text("owner_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    protocol: text("protocol", { enum: UPLOAD_PROTOCOLS }).notNull().default("chunked"),
    r2UploadId: text("r2_upload_id").notNull(),
    sourceKey: text("source_key").notNull(),
    filename: text("filename").notNull(),
    contentType: text("content_type").notNull(),
    size: integer("size").notNull(),
    partSize: integer("part_size").notNull(),
    partCount: integer("part_count").notNull(),
    status: text("status", { enum: UPLOAD_STATUSES }).notNull().default("open"),
    /** While `completing`, the time after which another complete may take over. */
    leaseUntil: integer("lease_until", { mode: "timestamp_ms" }),
    /** tus only: bytes past the last whole part, kept in R2 until the part fills. */
    tailSize: integer("tail_size").notNull().default(0),
    expiresAt: integer("expires_at", { mode: "timestamp_ms" }).notNull(),
    createdAt: createdAt(),
    completedAt: integer("completed_at", { mode: "timestamp_ms" }),
  },
  (t) => [index("uploads_status_expires").on(t.status, t.expiresAt), uniqueIndex("uploads_video_unique").on(t.videoId)],
);

export const uploadParts = sqliteTable(
  "upload_parts",
  {
    uploadId: text("upload_id")
      .notNull()
      .references(() => uploads.id, { onDelete: "cascade" }),
    part: integer("part").notNull(),
    size: integer("size").notNull(),
    etag: text("etag").notNull(),
    /** When the part was stored; a completed upload's parts are forgotten 7 days after (migration 0019). */
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.uploadId, t.part] }), index("upload_parts_created").on(t.createdAt)],
);

export type User = typeof users.$inferSelect;
export type Channel = typeof channels.$inferSelect;
export type Video = typeof videos.$inferSelect;
export type Upload = typeof uploads.$inferSelect;
export type UploadPart = typeof uploadParts.$inferSelect;

export const JOB_STATES = ["queued", "dispatched", "completed", "failed"] as const;

/**
 * One row per video that reached the `video-upload` queue: what the consumer knows of its
 * processing job. Keyed by video, so a redelivered message finds the row it made.
 */
export const transcodeJobs = sqliteTable("transcode_jobs", {
  videoId: text("video_id")
    .primaryKey()
    .references(() => videos.id, { onDelete: "cascade" }),
  sourceKey: text("source_key").notNull(),
  state: text("state", { enum: JOB_STATES }).notNull().default("queued"),
  /** Deliveries of the message so far (the queue's attempts, summed over redeliveries). */
  attempts: integer("attempts").notNull().default(0),
  lastError: text("last_error"),
  dispatchedAt: integer("dispatched_at", { mode: "timestamp_ms" }),
  /** The last sign of life from the transcoder; a job silent too long is dispatched again. */
  lastEventAt: integer("last_event_at", { mode: "timestamp_ms" }),
  createdAt: createdAt(),
  updatedAt: integer("updated_at", { mode: "timestamp_ms" }).notNull(),
});

export type TranscodeJob = typeof transcodeJobs.$inferSelect;

/** A finished rendition of a video: listed in the master playlist and the API. */
export const renditions = sqliteTable(
  "renditions",
  {
    videoId: text("video_id")
      .notNull()
      .references(() => videos.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    width: integer("width").notNull(),
    height: integer("height").notNull(),
    bandwidth: integer("bandwidth").notNull(),
    averageBandwidth: integer("average_bandwidth"),
    codecs: text("codecs").notNull(),
    frameRate: real("frame_rate"),
    playlist: text("playlist").notNull(),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.videoId, t.name] })],
);

export const notifications = sqliteTable(
  "notifications",
  {
    id: text("id").primaryKey(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    type: text("type").notNull(),
    videoId: text("video_id").references(() => videos.id, { onDelete: "cascade" }),
    message: text("message").notNull(),
    read: integer("read", { mode: "boolean" }).notNull().default(false),
    createdAt: createdAt(),
  },
  (t) => [
    index("notifications_user_created").on(t.userId, t.createdAt),
    // One notice of a kind per user and video, however often its message is delivered
    // (`video_ready` to the owner, `new_video` to each subscriber).
    uniqueIndex("notifications_user_type_video").on(t.userId, t.type, t.videoId),
  ],
);

export type Rendition = typeof renditions.$inferSelect;
export type Notification = typeof notifications.$inferSelect;

/**
 * Comments live in the `COMMENTS` database since migration 0027 dropped `DB`'s (its table is
 * storage/comments.ts `comments`; migrations/comments). A comment's status: `held` waits for
 * the channel owner's approval, seen by its author and the owner only.
 */
export const COMMENT_STATUSES = ["published", "held"] as const;

/**
 * Search (migrations/0004_search.sql, hand-written): one document per public, ready video,
 * kept by triggers on `videos` and `channels` and indexed by the FTS5 tables `video_search`
 * (ranked, stemmed) and `video_words` (plain words). drizzle cannot describe virtual tables
 * or triggers, so those live in the SQL alone; these ordinary tables are here for typed reads.
 */
export const searchDocuments = sqliteTable(
  "search_documents",
  {
    id: integer("id").primaryKey(),
    videoId: text("video_id").notNull(),
    title: text("title").notNull(),
    description: text("description").notNull(),
    tags: text("tags").notNull(),
    channelName: text("channel_name").notNull(),
    /**
     * The video's category as one token (`hex(category)`, '' without one), indexed in its own
     * FTS5 column so that a category filter is part of the match (migrations/0012).
     */
    categoryKey: text("category_key").notNull().default(""),
  },
  (t) => [uniqueIndex("search_documents_video").on(t.videoId)],
);

/**
 * What search filters on, per document (migrations/0008_search_filters.sql): copied from the
 * video by triggers, in rows narrow enough that filtering thousands of matches reads little.
 */
export const searchFilters = sqliteTable("search_filters", {
  /** The document's id (search_documents.id, the FTS rowid). */
  id: integer("id").primaryKey(),
  category: text("category"),
  durationMs: integer("duration_ms"),
  publishedAt: integer("published_at"),
  viewCount: integer("view_count").notNull(),
});

/** The indexed words and how many documents hold each: typo candidates and completions. */
export const searchWords = sqliteTable(
  "search_words",
  {
    word: text("word").primaryKey(),
    docs: integer("docs").notNull(),
    grams: integer("grams").notNull().default(0),
  },
  (t) => [index("search_words_grams").on(t.grams)],
);

export const searchWordTrigrams = sqliteTable(
  "search_word_trigrams",
  { gram: text("gram").notNull(), word: text("word").notNull() },
  (t) => [primaryKey({ columns: [t.gram, t.word] })],
);

/** `version`: bumped by the triggers whenever a video leaves the index or its text changes. */
export const searchMeta = sqliteTable("search_meta", {
  key: text("key").primaryKey(),
  value: integer("value").notNull(),
});

/**
 * Who follows which channel; the triggers of migration 0005 keep `channels.subscriber_count`.
 * A user's rows are read by the key's prefix (their few channels, sorted in memory for the
 * newest-first list); the fan-out reads a channel's by the second index.
 * WITHOUT ROWID (migrations/0020; drizzle-kit cannot say it): keep it when this table changes.
 */
export const subscriptions = sqliteTable(
  "subscriptions",
  {
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    channelId: text("channel_id")
      .notNull()
      .references(() => channels.id, { onDelete: "cascade" }),
    createdAt: createdAt(),
  },
  (t) => [
    primaryKey({ columns: [t.userId, t.channelId] }),
    // The fan-out of `new_video` pages through a channel's subscribers by user id.
    index("subscriptions_channel_user").on(t.channelId, t.userId),
  ],
);

/**
 * The last computed trending score of each (video, region); `region` is two letters or
 * `global`. `rank_key` = log2(score) + computed_at / half-life, so scores computed at
 * different times rank correctly against each other: activity decays at one rate for all.
 */
export const trendingScores = sqliteTable(
  "trending_scores",
  {
    videoId: text("video_id")
      .notNull()
      .references(() => videos.id, { onDelete: "cascade" }),
    region: text("region").notNull(),
    channelId: text("channel_id").notNull(),
    category: text("category"),
    score: real("score").notNull(),
    rankKey: real("rank_key").notNull(),
    viewers: integer("viewers").notNull(),
    lastHour: integer("last_hour").notNull(),
    computedAt: integer("computed_at").notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.videoId, t.region] }),
    index("trending_scores_region_rank").on(t.region, t.rankKey),
    index("trending_scores_region_category_rank").on(t.region, t.category, t.rankKey),
    index("trending_scores_last_hour").on(t.lastHour),
  ],
);

export type Subscription = typeof subscriptions.$inferSelect;
export type TrendingScore = typeof trendingScores.$inferSelect;

/** The local vector index (production: Vectorize): which embedder each index holds. */
export const vectorIndexes = sqliteTable("vector_indexes", {
  name: text("name").primaryKey(),
  embedder: text("embedder").notNull(),
  dimensions: integer("dimensions").notNull(),
  createdAt: createdAt(),
});

/** The local index's vectors: float32 blobs, searched by exact cosine (workers/vectors/local-index.ts). */
export const vectorEntries = sqliteTable(
  "vector_entries",
  {
    indexName: text("index_name").notNull(),
    id: text("id").notNull(),
    vector: blob("vector").notNull(),
    metadata: text("metadata").notNull().default("{}"),
  },
  (t) => [primaryKey({ columns: [t.indexName, t.id] })],
);

/** What each video's current vector was made from, in either backend. */
export const videoEmbeddings = sqliteTable("video_embeddings", {
  videoId: text("video_id")
    .primaryKey()
    .references(() => videos.id, { onDelete: "cascade" }),
  embedder: text("embedder").notNull(),
  contentHash: text("content_hash").notNull(),
  updatedAt: integer("updated_at", { mode: "timestamp_ms" }).notNull(),
});

// Trust and safety (migration 0009).

export const REPORT_REASONS = [
  "violent_or_repulsive",
  "hateful_or_abusive",
  "spam_or_misleading",
  "privacy",
  "rights",
  "sexual_content",
  "child_safety",
  "other",
] as const;
export const REPORT_TARGETS = ["video", "comment", "user"] as const;
export const REPORT_STATES = ["pending", "accepted", "rejected"] as const;

/** A person's report of a video, comment or user; settled with every open report of the same target. */
export const reports = sqliteTable(
  "reports",
  {
    id: text("id").primaryKey(),
    reporterId: text("reporter_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    targetType: text("target_type", { enum: REPORT_TARGETS }).notNull(),
    targetId: text("target_id").notNull(),
    reason: text("reason", { enum: REPORT_REASONS }).notNull(),
    message: text("message"),
    startAt: real("start_at"),
    endAt: real("end_at"),
    state: text("state", { enum: REPORT_STATES }).notNull().default("pending"),
    /** The action that settled it (`dismiss`, `block_video`, ...). */
    outcome: text("outcome"),
    settledBy: text("settled_by"),
    settledAt: integer("settled_at", { mode: "timestamp_ms" }),
    createdAt: createdAt(),
  },
  (t) => [
    index("reports_target_state").on(t.targetType, t.targetId, t.state),
    index("reports_state_created").on(t.state, t.createdAt),
    index("reports_reporter_created").on(t.reporterId, t.createdAt),
    // One pending report per reporter and target: a second is 409 already_reported.
    uniqueIndex("reports_pending_once").on(t.reporterId, t.targetType, t.targetId).where(sql`${t.state} = 'pending'`),
  ],
);

/**
 * Every moderation action, appended in the same batch as the action itself. Never updated or
 * deleted (triggers in migration 0009 refuse both); no foreign keys, so nothing cascades into it.
 */
export const moderationLog = sqliteTable(
  "moderation_log",
  {
    id: text("id").primaryKey(),
    actorId: text("actor_id").notNull(),
    action: text("action").notNull(),
    targetType: text("target_type").notNull(),
    targetId: text("target_id").notNull(),
    reason: text("reason"),
    reportId: text("report_id"),
    createdAt: createdAt(),
  },
  (t) => [index("moderation_log_created").on(t.createdAt), index("moderation_log_target").on(t.targetType, t.targetId)],
);

/** A user who no longer sees another's comments; the blocked user cannot comment on the blocker's videos. */
export const userBlocks = sqliteTable(
  "user_blocks",
  {
    blockerId: text("blocker_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    blockedId: text("blocked_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.blockerId, t.blockedId] }), index("user_blocks_blocked").on(t.blockedId)],
);

/** A channel owner's comment rules: words that hold a comment for review, and whether links do. */
export const channelModeration = sqliteTable("channel_moderation", {
  channelId: text("channel_id")
    .primaryKey()
    .references(() => channels.id, { onDelete: "cascade" }),
  heldWords: text("held_words", { mode: "json" }).$type<string[]>().notNull().default(sql`'[]'`),
  holdLinks: integer("hold_links", { mode: "boolean" }).notNull().default(false),
  updatedAt: integer("updated_at", { mode: "timestamp_ms" }).notNull().default(sql`(unixepoch('subsec') * 1000)`),
});

// Playlists (migration 0010).

export const PLAYLIST_KINDS = ["playlist", "watch_later"] as const;
/** A playlist holds at most this many items (API.md); a 5,001st is 400 `playlist_full`. */
export const PLAYLIST_MAX_ITEMS = 5000;

/**
 * A user's ordered list of videos. `item_count` and `duration_ms` count the items anyone may
 * see (their video is public or unlisted, ready, not blocked, its owner not suspended) and
 * `size` every item; triggers on `playlist_items` and `videos` keep all three exact
 * (migration 0010), so no code path can forget them.
 */
export const playlists = sqliteTable(
  "playlists",
  {
    id: text("id").primaryKey(),
    ownerId: text("owner_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    /** `watch_later`: the owner's one Watch later list, made on first use; always private. */
    kind: text("kind", { enum: PLAYLIST_KINDS }).notNull().default("playlist"),
    title: text("title").notNull(),
    description: text("description").notNull().default(""),
    visibility: text("visibility", { enum: VISIBILITIES }).notNull().default("private"),
    itemCount: integer("item_count").notNull().default(0),
    durationMs: integer("duration_ms").notNull().default(0),
    size: integer("size").notNull().default(0),
    createdAt: createdAt(),
    updatedAt: integer("updated_at", { mode: "timestamp_ms" }).notNull().default(sql`(unixepoch('subsec') * 1000)`),
  },
  (t) => [
    index("playlists_owner_updated").on(t.ownerId, t.updatedAt),
    uniqueIndex("playlists_watch_later").on(t.ownerId).where(sql`${t.kind} = 'watch_later'`),
  ],
);

/**
 * One video in a playlist, ordered by `rank`: a fractional index (base-62 digits, compared
 * as bytes), so a move rewrites the moved row alone and every item keeps its id. Ranks grow
 * when items keep landing between the same two neighbours; the playlist is then rebalanced.
 */
export const playlistItems = sqliteTable(
  "playlist_items",
  {
    id: text("id").primaryKey(),
    playlistId: text("playlist_id")
      .notNull()
      .references(() => playlists.id, { onDelete: "cascade" }),
    videoId: text("video_id")
      .notNull()
      .references(() => videos.id, { onDelete: "cascade" }),
    rank: text("rank").notNull(),
    addedAt: integer("added_at", { mode: "timestamp_ms" }).notNull().default(sql`(unixepoch('subsec') * 1000)`),
  },
  (t) => [
    uniqueIndex("playlist_items_rank").on(t.playlistId, t.rank),
    uniqueIndex("playlist_items_video").on(t.playlistId, t.videoId),
    index("playlist_items_video_id").on(t.videoId),
  ],
);

export type Playlist = typeof playlists.$inferSelect;
export type PlaylistItem = typeof playlistItems.$inferSelect;

// Webhooks (migration 0010).

/**
 * An integrator's endpoint: where events about its owner's videos (and comments on them) are
 * sent, signed per Standard Webhooks. The secrets are sealed with AES-GCM under a key derived
 * from SIGNING_SECRET (signing needs the secret itself, so a hash would not do); during a
 * rotation the previous one signs too, until `previous_secret_expires_at`.
 */
export const webhookEndpoints = sqliteTable(
  "webhook_endpoints",
  {
    id: text("id").primaryKey(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    url: text("url").notNull(),
    description: text("description").notNull().default(""),
    /** The event types it hears, a JSON array. */
    events: text("events", { mode: "json" }).$type<string[]>().notNull(),
    secretSealed: text("secret_sealed").notNull(),
    previousSecretSealed: text("previous_secret_sealed"),
    previousSecretExpiresAt: integer("previous_secret_expires_at", { mode: "timestamp_ms" }),
    enabled: integer("enabled", { mode: "boolean" }).notNull().default(true),
    /** Why it was turned off: `disabled` (by its owner) or `gone` (it answered 410). */
    disabledReason: text("disabled_reason"),
    createdAt: createdAt(),
    updatedAt: integer("updated_at", { mode: "timestamp_ms" }).notNull().default(sql`(unixepoch('subsec') * 1000)`),
  },
  (t) => [index("webhook_endpoints_user").on(t.userId, t.createdAt)],
);

/**
 * One event, once: its id is derived from what happened (`video.ready` of a video, a comment's
 * id), so a producer that runs again (a redelivered queue message) finds the row it made. Only
 * written when its user has an endpoint that hears it. `endpoint_id` is set for a test event,
 * which goes to that endpoint alone. No foreign keys: an event outlives its video.
 */
export const webhookEvents = sqliteTable(
  "webhook_events",
  {
    id: text("id").primaryKey(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    type: text("type").notNull(),
    /** The body sent, byte for byte on every attempt: `{ type, timestamp, data }`. */
    payload: text("payload").notNull(),
    endpointId: text("endpoint_id"),
    /** Set once its deliveries exist and are queued. */
    fannedOutAt: integer("fanned_out_at", { mode: "timestamp_ms" }),
    createdAt: createdAt(),
  },
  (t) => [index("webhook_events_created").on(t.createdAt)],
);

export const DELIVERY_STATUSES = ["pending", "succeeded", "failed"] as const;

/** An event on its way to one endpoint: at most one per (endpoint, event). */
export const webhookDeliveries = sqliteTable(
  "webhook_deliveries",
  {
    id: text("id").primaryKey(),
    endpointId: text("endpoint_id")
      .notNull()
      .references(() => webhookEndpoints.id, { onDelete: "cascade" }),
    eventId: text("event_id")
      .notNull()
      .references(() => webhookEvents.id, { onDelete: "cascade" }),
    type: text("type").notNull(),
    status: text("status", { enum: DELIVERY_STATUSES }).notNull().default("pending"),
    /** Attempts made so far; the next one is number `attempts + 1`. */
    attempts: integer("attempts").notNull().default(0),
    responseStatus: integer("response_status"),
    nextAttemptAt: integer("next_attempt_at", { mode: "timestamp_ms" }),
    /** While an attempt is in flight: no other consumer sends the same attempt before this. */
    leaseUntil: integer("lease_until", { mode: "timestamp_ms" }),
    createdAt: createdAt(),
    updatedAt: integer("updated_at", { mode: "timestamp_ms" }).notNull().default(sql`(unixepoch('subsec') * 1000)`),
  },
  (t) => [
    uniqueIndex("webhook_deliveries_endpoint_event").on(t.endpointId, t.eventId),
    index("webhook_deliveries_endpoint_created").on(t.endpointId, t.createdAt),
    index("webhook_deliveries_event").on(t.eventId),
    index("webhook_deliveries_pending").on(t.nextAttemptAt).where(sql`${t.status} = 'pending'`),
  ],
);

/** What each attempt of a delivery got back: the status and the start of the body, or why there was none. */
export const webhookAttempts = sqliteTable(
  "webhook_attempts",
  {
    deliveryId: text("delivery_id")
      .notNull()
      .references(() => webhookDeliveries.id, { onDelete: "cascade" }),
    attempt: integer("attempt").notNull(),
    at: integer("at", { mode: "timestamp_ms" }).notNull(),
    durationMs: integer("duration_ms").notNull(),
    responseStatus: integer("response_status"),
    /** The first KiB of the answer's body, as text. */
    responseBody: text("response_body"),
    /** `timeout`, `redirect`, `network`, `url_refused` when there was no usable answer. */
    error: text("error"),
  },
  (t) => [primaryKey({ columns: [t.deliveryId, t.attempt] })],
);

export type WebhookEndpoint = typeof webhookEndpoints.$inferSelect;
export type WebhookEvent = typeof webhookEvents.$inferSelect;
export type WebhookDelivery = typeof webhookDeliveries.$inferSelect;
export type WebhookAttempt = typeof webhookAttempts.$inferSelect;

export const CAPTION_SOURCES = ["uploaded", "auto"] as const;
export const CAPTION_STATUSES = ["processing", "ready", "failed"] as const;

/**
 * A video's caption tracks (migrations/0011_captions.sql), one per BCP 47 language tag. The
 * WebVTT lives in R2 under the video's media (`path`, content-addressed by `rev`, so a
 * replaced track gets new URLs and cached copies of the old one never mix with it).
 */
export const captions = sqliteTable(
  "captions",
  {
    /** The track's number: its cues name it (migration 0021), not the video and language again. */
    id: integer("id").primaryKey(),
    videoId: text("video_id")
      .notNull()
      .references(() => videos.id, { onDelete: "cascade" }),
    /** Canonical BCP 47 (`en`, `pt-BR`). */
    language: text("language").notNull(),
    label: text("label").notNull(),
    source: text("source", { enum: CAPTION_SOURCES }).notNull(),
    status: text("status", { enum: CAPTION_STATUSES }).notNull(),
    /** A hash of the stored WebVTT; null while an auto track is processing or after it failed. */
    rev: text("rev"),
    cueCount: integer("cue_count").notNull().default(0),
    error: text("error"),
    createdAt: createdAt(),
    updatedAt: integer("updated_at", { mode: "timestamp_ms" }).notNull(),
    /**
     * Where the track's cues live (migration 0023): the key of its `caption_tracks` row in the
     * `CAPTIONS` database (migrations/captions), new for every version saved, so that a save
     * interrupted half-way, or a race of two, never leaves this row naming cues of another
     * version (storage/captions.ts); null while an auto track has none (processing, failed).
     * This database's own `caption_cues` and `transcript_search` were dropped by 0024.
     */
    cuesKey: integer("cues_key"),
  },
  (t) => [
    uniqueIndex("captions_video_language").on(t.videoId, t.language),
    uniqueIndex("captions_cues_key").on(t.cuesKey).where(sql`${t.cuesKey} IS NOT NULL`),
  ],
);
