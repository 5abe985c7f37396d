import type { AuthUser, Database } from "../env";
import { forbidden, notFound, problem, validationFailed } from "../lib/errors";
import { type CueDatabase, lastKey } from "../storage/caption-cues";
import * as store from "../storage/captions";
import { type MediaStore, mediaUrl } from "../storage/media";
import { findAccess, findVideo } from "../storage/videos";
import {
  CaptionFileError,
  type CaptionFormat,
  type Cue,
  captionFormatOf,
  decodeCaptionText,
  MAX_CAPTION_BYTES,
  parseCaptions,
  toWebVtt,
} from "./caption-files";
import { masterWithSubtitles, type SubtitleEntry, subtitleTrack } from "./caption-hls";
import { assertVisible, playbackQuery } from "./videos";

/**
 * Captions and transcripts (API.md): uploaded WebVTT/SRT tracks, one per BCP 47 language,
 * stored in R2 beside the renditions (`captions/{language}/{rev}.vtt` and its HLS subtitle
 * playlist), listed in the video's metadata and its master playlist, their cues in D1 for
 * the transcript and transcript search (the `CAPTIONS` database, storage/caption-cues.ts,
 * each track's row in `DB` naming them). Served through the media route, so a private or
 * blocked video's captions are refused exactly as its segments are.
 */
export interface CaptionDeps {
  db: Database;
  /** The `CAPTIONS` database: tracks' cues and their transcript index. */
  cueDb: CueDatabase;
  media: MediaStore;
  /**
   * The video's captions changed: drop its cached answers (metadata) and the cached copies of
   * these media paths (the master playlist) on every origin media is served from.
   */
  changed(videoId: string, mediaPaths: string[]): Promise<void>;
  /** A track is stored and ready (the owner's webhooks hear `video.captions_ready`, once per version). */
  ready?(
    videoId: string,
    track: { language: string; label: string; source: string; url: string },
    revision: string,
  ): Promise<void>;
  config: { segmentType: "ts" | "fmp4" };
}

export type CaptionTrack = {
  language: string;
  label: string;
  source: "uploaded" | "auto";
  status: "processing" | "ready" | "failed";
  url: string | null;
};

/** A track's whole WebVTT, relative to the video's media. */
export const trackPath = (language: string, rev: string) => `captions/${language}/${rev}.vtt`;
/** Its HLS subtitle playlist (segments beside it). */
export const trackPlaylistPath = (language: string, rev: string) => `captions/${language}/${rev}/index.m3u8`;
export const trackDir = (language: string) => `captions/${language}/`;

/** The canonical BCP 47 form of a tag (`pt-br` is `pt-BR`), or a 400 naming the parameter. */
export function canonicalLanguage(tag: string, name = "language"): string {
  try {
    const [canonical] = Intl.getCanonicalLocales(tag);
    if (canonical && canonical.length <= 35) return canonical;
  } catch {
    // RangeError: not a well-formed tag.
  }
  throw validationFailed([{ name, reason: "must be a BCP 47 language tag such as en or pt-BR" }]);
}

/** The language's name in itself (`English`, `português (Brasil)`): the default label. */
export function languageName(language: string): string {
  try {
    const name = new Intl.DisplayNames([language], { type: "language" }).of(language);
    if (name && name !== language) return name.charAt(0).toLocaleUpperCase(language) + name.slice(1);
  } catch {
    // No display name for this tag.
  }
  return language;
}

function trackOut(row: store.CaptionRow, origin: string, videoId: string): CaptionTrack {
  return {
    language: row.language,
    label: row.label,
    source: row.source,
    status: row.status,
    url: row.status === "ready" && row.rev ? mediaUrl(origin, videoId, trackPath(row.language, row.rev)) : null,
  };
}

/** The tracks as the video's metadata lists them (cached with it; the token is added per viewer). */
export async function captionItems(db: Database, videoId: string, origin: string): Promise<CaptionTrack[]> {
  return (await store.listCaptions(db, videoId)).map((row) => trackOut(row, origin, videoId));
}

/** A private video's caption URLs carry the playback token, as its playlist does. */
export async function signCaptionItems(items: CaptionTrack[], signingSecret: string, videoId: string) {
  if (!items.some((t) => t.url)) return items;
  const query = await playbackQuery(signingSecret, videoId);
  return items.map((t) => (t.url ? { ...t, url: `${t.url}?${query}` } : t));
}

/** GET /videos/{id}/captions: anyone who may see the video. */
export async function listTracks(
  db: Database,
  videoId: string,
  viewer: AuthUser | undefined,
  origin: string,
  signingSecret: string,
) {
  const access = await findAccess(db, videoId);
  assertVisible(access, viewer);
  const items = await captionItems(db, videoId, origin);
  return { items: access.visibility === "private" ? await signCaptionItems(items, signingSecret, videoId) : items };
}

/** The owner's video, else 404 (private: not there at all) or 403. */
export async function ownedVideo(db: Database, user: AuthUser, videoId: string) {
  const access = await findAccess(db, videoId);
  if (!access) throw notFound("Video");
  if (access.owner_id !== user.id) {
    if (access.visibility === "private") throw notFound("Video");
    throw forbidden("Only the video's owner may change its captions.");
  }
  const video = await findVideo(db, videoId);
  if (!video) throw notFound("Video");
  return video;
}

const tooLarge = () =>
  problem("file_too_large", {
    status: 413,
    detail: "A caption file is at most 2 MB.",
    extra: { max_size: MAX_CAPTION_BYTES },
  });

/** The body, refused once it passes the limit (a missing or lying Content-Length changes nothing). */
async function readLimited(body: ReadableStream<Uint8Array> | null, declared: number | undefined) {
  if (declared !== undefined && declared > MAX_CAPTION_BYTES) throw tooLarge();
  if (!body) return new Uint8Array();
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > MAX_CAPTION_BYTES) {
      await reader.cancel();
      throw tooLarge();
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, at);
    at += chunk.byteLength;
  }
  return bytes;
}

const invalidCaptions = (err: CaptionFileError) =>
  problem("invalid_captions", {
    detail: `The caption file cannot be used: line ${err.line}: ${err.reason}.`,
    extra: { line: err.line, reason: err.reason },
  });

/** Parses the file, turning its faults into 400 `invalid_captions`. */
export function readCaptionFile(bytes: Uint8Array, contentType: string | undefined, durationMs: number | null) {
  try {
    const text = decodeCaptionText(bytes);
    const format: CaptionFormat | undefined = captionFormatOf(contentType, text);
    if (!format) {
      throw problem("unsupported_media_type", {
        detail: "Send WebVTT (text/vtt) or SRT (application/x-subrip).",
      });
    }
    return parseCaptions(text, format, { durationMs });
  } catch (err) {
    if (err instanceof CaptionFileError) throw invalidCaptions(err);
    throw err;
  }
}

export async function revOf(vtt: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(vtt)));
  return Array.from(digest.subarray(0, 8), (b) => b.toString(16).padStart(2, "0")).join("");
}

const VTT = "text/vtt; charset=utf-8";
const PLAYLIST = "application/vnd.apple.mpegurl";
/** R2 writes in flight at once for a track's segments. */
const PARALLEL_PUTS = 8;

/**
 * The kind of segments a video's renditions were made of (fMP4 renditions carry `#EXT-X-MAP`),
 * which sets the subtitle segments' `X-TIMESTAMP-MAP`: a video keeps the type it was made with
 * whatever HLS_SEGMENT_TYPE says now. Before its first playlist exists, the setting's type.
 */
async function segmentTypeOf(deps: Pick<CaptionDeps, "media" | "config">, videoId: string): Promise<"ts" | "fmp4"> {
  const master = await deps.media.getMediaText(videoId, "master.m3u8");
  const lines = master?.split("\n").map((l) => l.trim()) ?? [];
  const variant = lines.find(
    (l, i) => i > 0 && l && !l.startsWith("#") && lines[i - 1]?.startsWith("#EXT-X-STREAM-INF"),
  );
  const playlist = variant ? await deps.media.getMediaText(videoId, variant) : undefined;
  if (playlist === undefined) return deps.config.segmentType;
  return playlist.includes("#EXT-X-MAP:") ? "fmp4" : "ts";
}

/** The WebVTT, its subtitle playlist and segments under the track's content-addressed paths. */
export async function storeTrackFiles(
  deps: CaptionDeps,
  videoId: string,
  language: string,
  rev: string,
  cues: Cue[],
  vtt: string,
  durationMs: number | null,
) {
  const enc = (s: string) => new TextEncoder().encode(s);
  const files = subtitleTrack(cues, durationMs ?? 0, await segmentTypeOf(deps, videoId));
  const dir = `captions/${language}/${rev}/`;
  const puts: (() => Promise<unknown>)[] = [
    ...files.segments.map((s) => () => deps.media.putMedia(videoId, `${dir}${s.name}`, enc(s.body), VTT)),
    () => deps.media.putMedia(videoId, trackPath(language, rev), enc(vtt), VTT),
  ];
  for (let i = 0; i < puts.length; i += PARALLEL_PUTS)
    await Promise.all(puts.slice(i, i + PARALLEL_PUTS).map((p) => p()));
  // The playlist last: it names only segments that exist.
  await deps.media.putMedia(videoId, trackPlaylistPath(language, rev), enc(files.playlist), PLAYLIST);
}

/**
 * Brings the stored master playlist in line with the video's ready tracks (none: no
 * subtitles group). A video without a master yet (still early in processing) is left alone:
 * processing calls this again when the transcoder writes its final master.
 */
export async function syncMasterPlaylist(deps: Pick<CaptionDeps, "db" | "media">, videoId: string): Promise<boolean> {
  const master = await deps.media.getMediaText(videoId, "master.m3u8");
  if (master === undefined) return false;
  const tracks: SubtitleEntry[] = (await store.listCaptions(deps.db, videoId))
    .filter((t) => t.status === "ready" && t.rev)
    .map((t) => ({ language: t.language, name: t.label, uri: trackPlaylistPath(t.language, t.rev ?? "") }));
  const next = masterWithSubtitles(master, tracks);
  if (next === master) return false;
  await deps.media.putMedia(videoId, "master.m3u8", new TextEncoder().encode(next), PLAYLIST);
  return true;
}

export interface TrackUpload {
  label?: string;
  contentType?: string;
  contentLength?: number;
  body: ReadableStream<Uint8Array> | null;
}

/**
 * PUT /videos/{id}/captions/{language} (owner): the file checked, converted to the platform's
 * WebVTT and stored with its HLS files; the master and the metadata follow, their cached
 * copies purged. The same file again changes nothing (its rev is its content).
 */
export async function putTrack(
  deps: CaptionDeps,
  user: AuthUser,
  videoId: string,
  languageTag: string,
  upload: TrackUpload,
  origin: string,
  now = new Date(),
): Promise<CaptionTrack> {
  const language = canonicalLanguage(languageTag);
  const video = await ownedVideo(deps.db, user, videoId);
  const bytes = await readLimited(upload.body, upload.contentLength);
  const cues = readCaptionFile(bytes, upload.contentType, video.duration);
  const vtt = toWebVtt(cues);
  const rev = await revOf(vtt);
  const before = await store.findCaption(deps.db, videoId, language);
  const label = upload.label ?? (before?.source === "uploaded" ? before.label : languageName(language));
  if (before?.status === "ready" && before.rev === rev && before.source === "uploaded") {
    if (before.label !== label) {
      await store.relabel(deps.db, videoId, language, label, now);
      await afterChange(deps, videoId);
    }
    return trackOut({ ...before, label }, origin, videoId);
  }
  await storeTrackFiles(deps, videoId, language, rev, cues, vtt, video.duration);
  await store.saveTrack(deps.db, deps.cueDb, {
    videoId,
    language,
    label,
    source: "uploaded",
    rev,
    cues: cues.map((c) => ({ start: c.start, end: c.end, text: c.text })),
    now,
  });
  // The old file's objects go once nothing names them.
  await deps.media.deleteMediaUnder(videoId, trackDir(language), (path) => path.includes(`/${rev}`));
  await afterChange(deps, videoId);
  const saved = await store.findCaption(deps.db, videoId, language);
  if (!saved) throw notFound("Captions");
  const out = trackOut(saved, origin, videoId);
  await deps.ready?.(videoId, { language, label, source: "uploaded", url: out.url ?? "" }, rev);
  return out;
}

export async function afterChange(deps: CaptionDeps, videoId: string) {
  await syncMasterPlaylist(deps, videoId);
  await deps.changed(videoId, ["master.m3u8"]);
}

/** DELETE /videos/{id}/captions/{language} (owner): the track, its files, its cues; 404 when there is none. */
export async function deleteTrack(deps: CaptionDeps, user: AuthUser, videoId: string, languageTag: string) {
  const language = canonicalLanguage(languageTag);
  await ownedVideo(deps.db, user, videoId);
  if (!(await store.deleteTrack(deps.db, deps.cueDb, videoId, language))) throw notFound("Captions");
  await syncMasterPlaylist(deps, videoId);
  await deps.media.deleteMediaUnder(videoId, trackDir(language));
  await deps.changed(videoId, ["master.m3u8"]);
}

/**
 * GET /videos/{id}/transcript?language=: a ready track's cues as plain text, in seconds. Without
 * a language: the video's own language's track, else the first ready one.
 */
export async function transcript(
  db: Database,
  cueDb: CueDatabase,
  videoId: string,
  viewer: AuthUser | undefined,
  languageTag?: string,
) {
  const access = await findAccess(db, videoId);
  assertVisible(access, viewer);
  const ready = (await store.listCaptions(db, videoId)).filter((t) => t.status === "ready");
  let language: string | undefined;
  if (languageTag) language = canonicalLanguage(languageTag);
  else {
    const spoken = (await findVideo(db, videoId))?.language;
    language = (ready.find((t) => t.language === spoken) ?? ready[0])?.language;
  }
  if (!language || !ready.some((t) => t.language === language)) throw notFound("Transcript");
  const cues = await store.listCues(db, cueDb, videoId, language);
  return { language, cues: cues.map((c) => ({ start: c.start / 1000, end: c.end / 1000, text: c.text })) };
}

/** Caption cue versions checked per cron run by the sweep (one statement on each database). */
export const SWEEP_PAGE = 2_000;

/**
 * Cron: one page of the versions in `CAPTIONS` that no track names is swept, from a random
 * point among the keys given so far: in time the pages cover the table, with no cursor to keep.
 */
export async function tendCaptionCues(deps: Pick<CaptionDeps, "db" | "cueDb">, now: number) {
  const from = Math.floor(Math.random() * (await lastKey(deps.cueDb)));
  return { swept: await store.sweepVersions(deps.db, deps.cueDb, from, SWEEP_PAGE, now) };
}
