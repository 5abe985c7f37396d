import type { AuthUser, Database } from "../env";
import { forbidden, notFound, problem } from "../lib/errors";
import { signScope } from "../lib/signing";
import type { VideoSummary } from "../schemas/videos";
import { deleteVideoComments } from "../storage/comments";
import { cached, cacheKeys, purgeComments, purgeVideo } from "../storage/edge-cache";
import type { HistoryStore } from "../storage/history";
import { type MediaStore, mediaUrl } from "../storage/media";
import type { Rendition, ThumbnailPaths, Video } from "../storage/schema";
import { findUploadOfVideo } from "../storage/uploads";
import * as store from "../storage/videos";
import { type CaptionTrack, captionItems, signCaptionItems } from "./captions";

/** How long GET /api/v1/videos/{id} may be served from cache; edits purge it at once. */
export const VIDEO_CACHE_SECONDS = 10;
/** Playback tokens for private media outlive a long film, not a day. */
const PLAYBACK_TOKEN_SECONDS = 6 * 3600;

export interface VideoDeps {
  db: Database;
  /** The `COMMENTS` database: a deleted video's comments there go with it (no cascade reaches it). */
  comments: Database;
  media: MediaStore;
  /** Hears of a deleted video (recommendations drop its content vector; its owner's webhooks hear `video.deleted`). */
  deleted?: (videoId: string, ownerId: string) => Promise<void>;
}

export interface Access {
  visibility: Video["visibility"];
  owner_id: string;
  status: Video["status"];
  /** A moderator blocked it: 451 for everyone but its owner, media included. */
  blocked: boolean;
  /** Its owner is suspended: it does not exist for anyone else. */
  owner_suspended: boolean;
}

/**
 * How long an isolate may reuse a video's access answer without asking the cache again: a
 * block or a visibility change purges this isolate's copy at once and reaches the others
 * within this long.
 */
const ACCESS_MEMO_MS = 1_000;
/** Every edit purges it; the TTL bounds a purge missed in another data centre. */
const ACCESS_CACHE_SECONDS = 60;

/** Who may see the video: read through the cache, so media requests rarely touch D1. */
export async function accessOf(db: Database, videoId: string): Promise<Access | undefined> {
  return cached(cacheKeys.access(videoId), ACCESS_CACHE_SECONDS, () => store.findAccess(db, videoId), {
    memoMs: ACCESS_MEMO_MS,
  });
}

/**
 * Whether the viewer may see the video: a private one, or one whose owner is suspended,
 * exists only for its owner; a blocked one is seen by its owner alone.
 */
export function isVisible(access: Access | undefined, viewer: AuthUser | undefined): access is Access {
  return !!access && visibleTo(access, viewer);
}

const visibleTo = (access: Access, viewer: AuthUser | undefined) =>
  access.owner_id === viewer?.id || (access.visibility !== "private" && !access.owner_suspended && !access.blocked);

/**
 * Anyone who may not see the video gets the same 404 as for nothing, except for a blocked
 * video, which answers 451 `video_blocked` (its existence is public; its content is gone).
 */
export function assertVisible(access: Access | undefined, viewer: AuthUser | undefined): asserts access is Access {
  if (!access) throw notFound("Video");
  if (visibleTo(access, viewer)) return;
  if (access.blocked && access.visibility !== "private" && !access.owner_suspended) throw videoBlocked();
  throw notFound("Video");
}

export const videoBlocked = () =>
  problem("video_blocked", { detail: "This video was blocked by a moderator and is no longer available." });

/** API.md caps a summary's description at 200 characters. */
export const SUMMARY_DESCRIPTION_CHARS = 200;

/** Cuts at a word boundary when one is near, so a summary does not end mid-word. */
function shorten(text: string, max: number): string {
  if (text.length <= max) return text;
  const cut = text.slice(0, max - 1);
  const space = cut.lastIndexOf(" ");
  return `${(space > max * 0.6 ? cut.slice(0, space) : cut).trimEnd()}…`;
}

/** The list thumbnail: the default one, else the medium one, else none yet. */
export function thumbnailUrl(origin: string, videoId: string, t: ThumbnailPaths | null): string | null {
  const path = t?.default ?? t?.medium;
  return path ? mediaUrl(origin, videoId, path) : null;
}

/** One video of a list (API.md "Video summary"), from `videoSummaries` or any row of that shape. */
export function toVideoSummary({ video, channel }: store.SummaryRow, origin: string): VideoSummary {
  return {
    id: video.id,
    title: video.title,
    description: shorten(video.description, SUMMARY_DESCRIPTION_CHARS),
    tags: video.tags,
    category: video.category,
    duration: video.duration === null ? null : video.duration / 1000,
    thumbnail: thumbnailUrl(origin, video.id, video.thumbnails),
    channel: { id: channel.id, name: channel.name, verified: channel.verified },
    view_count: video.viewCount,
    like_count: video.likeCount,
    published_at: video.publishedAt?.toISOString() ?? null,
  };
}

/** Summaries of the listable videos among `ids`, in that order (private or gone ones left out). */
export async function videoSummaries(db: Database, ids: readonly string[], origin: string): Promise<VideoSummary[]> {
  return (await store.videoSummaries(db, ids)).map((row) => toVideoSummary(row, origin));
}

function thumbnailsOut(origin: string, videoId: string, t: ThumbnailPaths | null) {
  const url = (path?: string) => (path ? mediaUrl(origin, videoId, path) : null);
  return {
    default: thumbnailUrl(origin, videoId, t),
    small: url(t?.small),
    medium: url(t?.medium),
    large: url(t?.large),
    scrub: (t?.scrub ?? []).map((p) => mediaUrl(origin, videoId, p)),
    storyboard: t?.storyboard ? { image: url(t.storyboard.image), vtt: url(t.storyboard.vtt) } : null,
  };
}

function pageOf(
  origin: string,
  row: NonNullable<Awaited<ReturnType<typeof store.findVideoWithChannel>>>,
  captions: CaptionTrack[],
) {
  const { video, channel } = row;
  const playable = video.playable && row.renditions.length > 0;
  return {
    id: video.id,
    title: video.title,
    description: video.description,
    tags: video.tags,
    category: video.category,
    visibility: video.visibility,
    status: video.status,
    playable,
    channel,
    duration: video.duration === null ? null : video.duration / 1000,
    width: video.width,
    height: video.height,
    hls_url: playable ? mediaUrl(origin, video.id, "master.m3u8") : null,
    thumbnails: thumbnailsOut(origin, video.id, video.thumbnails),
    poster_inline: video.thumbnails?.inline ?? null,
    renditions: row.renditions.map((r: Rendition) => ({
      name: r.name,
      width: r.width,
      height: r.height,
      bandwidth: r.bandwidth,
      codecs: r.codecs,
    })),
    view_count: video.viewCount,
    like_count: video.likeCount,
    dislike_count: video.dislikeCount,
    comment_count: video.commentCount,
    share_count: video.shareCount,
    created_at: video.createdAt.toISOString(),
    published_at: video.publishedAt?.toISOString() ?? null,
    owner_id: video.ownerId,
    blocked: video.blockedAt ? { reason: video.blockedReason ?? "", at: video.blockedAt.toISOString() } : null,
    owner_suspended: video.ownerSuspended,
    language: video.language,
    captions,
  };
}

type CachedPage = ReturnType<typeof pageOf>;

type ListedRow = Awaited<ReturnType<typeof store.listVideos>>[number];

/** A summary plus what the owner's studio shows (status, visibility, progress). */
export function listedVideo(origin: string, row: ListedRow) {
  const { status, visibility, progress, blockedAt, blockedReason } = row.video;
  const blocked = blockedAt ? { reason: blockedReason ?? "", at: blockedAt.toISOString() } : null;
  return { ...toVideoSummary(row, origin), status, visibility, progress, blocked };
}
export type ListedVideo = ReturnType<typeof listedVideo>;

/** The platform's public, ready videos, newest first (a channel's own list is the channels service's). */
export async function latestVideos(db: Database, origin: string, limit: number) {
  return (await store.listVideos(db, {}, limit)).map((row) => listedVideo(origin, row));
}

/** Every video the user owns, whatever its state (the studio). */
export async function ownVideos(db: Database, origin: string, ownerId: string, limit: number) {
  // The full description: the studio edits it.
  return (await store.listVideos(db, { ownerId }, limit)).map((row) => ({
    ...listedVideo(origin, row),
    description: row.video.description,
  }));
}

/** A video's page data as the API answers it (API.md): `watchData` without what only the page uses. */
export async function videoPage(
  db: Database,
  videoId: string,
  viewer: AuthUser | undefined,
  origin: string,
  signingSecret: string,
  history: (userId: string) => HistoryStore,
) {
  const { poster_inline: _inline, ...page } = await watchData(db, videoId, viewer, origin, signingSecret, history);
  return page;
}

/**
 * The watch page's data (spec: "Get video metadata", cached). The viewer's own parts, the
 * resume position and, for the owner of a private video, signed media URLs (the playlist,
 * thumbnails, poster and storyboard all carry the playback token: without it the media
 * route answers 404), are added after the cache so one entry serves everyone. Beside the
 * API's fields, `poster_inline`: the small first frame the page shows while its player loads.
 * `history` answers a signed-in viewer's resume point (their own object).
 */
export async function watchData(
  db: Database,
  videoId: string,
  viewer: AuthUser | undefined,
  origin: string,
  signingSecret: string,
  history: (userId: string) => HistoryStore,
) {
  const page = await cached<CachedPage | undefined>(
    cacheKeys.video(videoId),
    VIDEO_CACHE_SECONDS,
    async () => {
      const [row, captions] = await Promise.all([
        store.findVideoWithChannel(db, videoId),
        captionItems(db, videoId, origin),
      ]);
      return row && pageOf(origin, row, captions);
    },
    // Read by every watch page and player: a hot video's page comes from the isolate, as its
    // access answer does (an edit purges both here at once, elsewhere within the memo).
    { memoMs: ACCESS_MEMO_MS },
  );
  if (!page) throw notFound("Video");
  const { owner_id, blocked, owner_suspended, ...body } = page;
  assertVisible(
    { visibility: body.visibility, owner_id, status: body.status, blocked: !!blocked, owner_suspended },
    viewer,
  );
  // Only its owner gets here for a blocked video: the reason, and no player (its media answers 451 to everyone).
  if (blocked) return { ...body, hls_url: null, playable: false, blocked, resume_position: null };
  const resume = viewer ? await history(viewer.id).resume(videoId) : null;
  const out = { ...body, resume_position: resume?.position ?? null };
  if (body.visibility !== "private") return out;
  const query = await playbackQuery(signingSecret, videoId);
  const sign = <T extends string | null>(url: T) => (url === null ? url : `${url}?${query}`) as T;
  const t = out.thumbnails;
  return {
    ...out,
    captions: await signCaptionItems(out.captions, signingSecret, videoId),
    hls_url: sign(out.hls_url),
    thumbnails: {
      default: sign(t.default),
      small: sign(t.small),
      medium: sign(t.medium),
      large: sign(t.large),
      scrub: t.scrub.map(sign),
      storyboard: t.storyboard ? { image: sign(t.storyboard.image), vtt: sign(t.storyboard.vtt) } : null,
    },
  };
}

/** `token=...` for a private video's media: checked at the edge without a D1 read. */
export async function playbackQuery(signingSecret: string, videoId: string): Promise<string> {
  const signed = new URLSearchParams(await signScope(signingSecret, videoId, "play", PLAYBACK_TOKEN_SECONDS));
  return new URLSearchParams({ token: `${signed.get("exp")}.${signed.get("sig")}` }).toString();
}

async function ownedVideo(db: Database, userId: string, videoId: string) {
  const access = await store.findAccess(db, videoId);
  if (!access) throw notFound("Video");
  if (access.owner_id !== userId) {
    // Someone else's private video is not there at all.
    if (access.visibility === "private") throw notFound("Video");
    throw forbidden("Only the video's owner may change it.");
  }
  return access;
}

/** Who hears of an edit. */
export interface EditHooks {
  /** Every applied edit (recommendations re-embed or drop the video's vector). */
  changed?: (videoId: string) => Promise<void>;
  /**
   * A ready video made public that was not (unlisted or private): its channel's subscribers
   * are told now, as they would have been had it been public when it became ready. A video
   * made public again tells no one twice (one `new_video` notice per user and video).
   */
  published?: (videoId: string) => Promise<void>;
}

export async function editVideo(
  db: Database,
  userId: string,
  videoId: string,
  edit: store.VideoEdit,
  hooks: EditHooks = {},
) {
  const before = await ownedVideo(db, userId, videoId);
  if (Object.keys(edit).length) {
    await store.updateVideo(db, videoId, edit);
    await hooks.changed?.(videoId);
    if (edit.visibility === "public" && before.visibility !== "public" && before.status === "ready") {
      await hooks.published?.(videoId);
    }
  }
  await purgeVideo(videoId);
}

/**
 * Deletes a video and everything of it: R2 objects (source and media), rows (cascading),
 * cached answers. A transcoder still working on it finds its writes refused (the video is
 * gone), so in-flight processing stops at its next output.
 */
export async function deleteVideo(deps: VideoDeps, userId: string, videoId: string) {
  const { db, media } = deps;
  await ownedVideo(db, userId, videoId);
  const upload = await findUploadOfVideo(db, videoId);
  if (upload && upload.status !== "completed") {
    await media
      .sourceUpload(upload.sourceKey, upload.r2UploadId)
      .abort()
      .catch(() => {});
    await media.deleteTail(upload.id);
  }
  await store.deleteVideoRow(db, videoId);
  await deleteVideoComments(deps.comments, videoId);
  await media.deleteVideo(videoId);
  await Promise.all([purgeVideo(videoId), purgeComments(videoId), deps.deleted?.(videoId, userId)]);
}
