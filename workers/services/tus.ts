/**
 * tus 1.0 (core, creation, termination, expiration) on the same R2 multipart upload as the
 * chunk protocol. R2 wants parts of one fixed size (but the last), while a tus client sends
 * byte ranges of any length, so a PATCH body is cut into parts as its bytes arrive:
 *
 *   offset = (whole parts stored from part 1 on) * part_size + tail_size
 *
 * The tail is the bytes past the last whole part that a finished PATCH left over; they wait
 * in R2 (`tusTailKey`) and are sent first by the next PATCH. A PATCH cut off mid-part loses
 * only the part it was writing (R2 never saw it whole), so the offset falls back to the
 * last whole part plus the tail still on record, and the client resumes from there.
 */
import { invalid, notFound, problem, validationFailed } from "../lib/errors";
import { ByteCutter } from "../lib/streams";
import { TusMetadata } from "../schemas/tus";
import type { Upload } from "../storage/schema";
import * as store from "../storage/uploads";
import { extensionOf, SNIFF_BYTES, sniffContainer } from "./media-format";
import {
  abortUpload,
  cancelUpload,
  completeUpload,
  expectedPartSize,
  initiateUpload,
  ownedUpload,
  streamPartToR2,
  type UploadDeps,
  unsupportedFormat,
} from "./uploads";

export const TUS_VERSION = "1.0.0";
export const TUS_EXTENSIONS = ["creation", "termination", "expiration"];
export const OFFSET_STREAM = "application/offset+octet-stream";
/** How many first bytes of a file are judged for a container's magic (at least SNIFF_BYTES). */
const SNIFF_WINDOW = Math.max(SNIFF_BYTES, 4096);

/** What a tus response says of an upload (Upload-Offset, Upload-Length, Upload-Expires). */
export interface TusUploadInfo {
  uploadId: string;
  videoId: string;
  offset: number;
  length: number;
  expiresAt: Date;
}

export const tusVersionUnsupported = () =>
  problem("tus_version_unsupported", {
    detail: `Send Tus-Resumable: ${TUS_VERSION}; it is the only version served.`,
    headers: { "Tus-Version": TUS_VERSION, "Tus-Resumable": TUS_VERSION },
  });

const offsetMismatch = (expected: number, got: number) =>
  problem("offset_mismatch", {
    detail: `The upload is at offset ${expected}; the PATCH said ${got}.`,
    extra: { expected_offset: expected },
  });

const gone = (why: string) => problem("upload_gone", { detail: `This upload ${why}.` });

/** `Upload-Metadata`: comma-separated `key base64(value)` pairs; a value may be absent. */
export function parseUploadMetadata(header: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!header?.trim()) return out;
  const bad = (reason: string) => validationFailed([{ name: "Upload-Metadata", reason }]);
  for (const pair of header.split(",")) {
    const [key, value, ...rest] = pair.trim().split(/\s+/);
    if (!key || rest.length || !/^[\x21-\x7e]+$/.test(key))
      throw bad("must be `key base64value` pairs separated by commas");
    if (key in out) throw bad(`the key "${key}" appears twice`);
    if (value === undefined) {
      out[key] = "";
      continue;
    }
    if (value.length % 4 || !/^[A-Za-z0-9+/]*={0,2}$/.test(value)) throw bad(`the value of "${key}" is not base64`);
    try {
      out[key] = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(
        Uint8Array.from(atob(value), (ch) => ch.charCodeAt(0)),
      );
    } catch {
      throw bad(`the value of "${key}" is not base64 of UTF-8 text`);
    }
  }
  return out;
}

const TYPE_BY_EXTENSION: Record<string, string> = {
  mp4: "video/mp4",
  m4v: "video/x-m4v",
  mov: "video/quicktime",
  qt: "video/quicktime",
  "3gp": "video/3gpp",
  "3g2": "video/3gpp2",
  webm: "video/webm",
  mkv: "video/x-matroska",
  avi: "video/x-msvideo",
  ts: "video/mp2t",
  mts: "video/mp2t",
  m2ts: "video/mp2t",
  mpg: "video/mpeg",
  mpeg: "video/mpeg",
  flv: "video/x-flv",
  ogv: "video/ogg",
  wmv: "video/x-ms-wmv",
  asf: "video/x-ms-asf",
};

/** The metadata as initiate's input: a missing title comes from the filename, a type from its extension. */
function metadataInput(raw: Record<string, string>): TusMetadata & { title: string; content_type: string } {
  const parsed = TusMetadata.safeParse({
    filename: raw.filename ?? raw.name,
    title: raw.title || undefined,
    content_type: raw.content_type || raw.filetype || raw.type || undefined,
    description: raw.description,
    visibility: raw.visibility || undefined,
  });
  if (!parsed.success) {
    throw invalid(parsed.error, { target: "Upload-Metadata", prefix: "Upload-Metadata" });
  }
  const meta = parsed.data;
  const stem = meta.filename.replace(/\.[^.]*$/, "").trim();
  const ext = extensionOf(meta.filename);
  return {
    ...meta,
    title: meta.title ?? (stem || meta.filename).slice(0, 100),
    content_type: meta.content_type ?? (ext && TYPE_BY_EXTENSION[ext]) ?? "application/octet-stream",
  };
}

/** tus creation: a new upload of `length` bytes, through the same checks as initiate. */
export async function createTusUpload(
  deps: UploadDeps,
  userId: string,
  input: { length?: number; deferLength?: string; metadata?: string },
): Promise<TusUploadInfo> {
  if (input.length === undefined) {
    const reason =
      input.deferLength !== undefined ? "Upload-Defer-Length is not supported; send Upload-Length" : "required";
    throw validationFailed([{ name: "Upload-Length", reason }]);
  }
  const meta = metadataInput(parseUploadMetadata(input.metadata));
  const created = await initiateUpload(deps, userId, { ...meta, size: input.length, protocol: "tus" });
  return {
    uploadId: created.upload_id,
    videoId: created.video_id,
    offset: 0,
    length: input.length,
    expiresAt: new Date(created.expires_at),
  };
}

/** The caller's tus upload, still usable: 404 for other protocols, 410 once expired. */
async function tusUpload(deps: UploadDeps, userId: string, uploadId: string, now: Date): Promise<Upload> {
  const upload = await ownedUpload(deps.db, userId, uploadId);
  if (upload.protocol !== "tus") throw notFound("tus upload");
  if (upload.status === "aborted") throw gone("was aborted");
  if (upload.status !== "completed" && upload.expiresAt <= now) throw gone("has expired");
  return upload;
}

/**
 * How many parts from part 1 on are stored whole, and the offset they and the tail make.
 * A tail on record is checked against its object first (see `tailUsable`); one that does
 * not fit is forgotten, so the offset never claims bytes R2 does not hold.
 */
async function progress(deps: UploadDeps, upload: Upload) {
  if (upload.status === "completed") return { wholeParts: upload.partCount, offset: upload.size, tail: 0 };
  let wholeParts = 0;
  let bytes = 0;
  for (const part of await store.listParts(deps.db, upload.id)) {
    if (part.part !== wholeParts + 1 || part.size !== expectedPartSize(upload, part.part)) break;
    wholeParts++;
    bytes += part.size;
  }
  let tail = wholeParts < upload.partCount ? upload.tailSize : 0;
  if (tail > 0 && !tailUsable(await deps.media.headTail(upload.id), bytes, tail)) {
    await store.setTailSize(deps.db, upload.id, 0);
    tail = 0;
  }
  return { wholeParts, offset: bytes + tail, tail };
}

/**
 * A tail object serves only if it was written for the current end of the whole parts and
 * holds at least `tail_size` bytes. PATCHes that overlap (a client resuming while its cut
 * request is still being worked off) write tails of the same file bytes; one written from
 * an older end of parts would put wrong bytes at the offset, and is refused.
 */
function tailUsable(object: R2Object | null, start: number, tailSize: number): object is R2Object {
  return !!object && object.customMetadata?.start === String(start) && object.size >= tailSize;
}

const infoOf = (upload: Upload, offset: number): TusUploadInfo => ({
  uploadId: upload.id,
  videoId: upload.videoId,
  offset,
  length: upload.size,
  expiresAt: upload.expiresAt,
});

/** Completes the multipart upload (idempotent) and drops the tail object it no longer needs. */
async function finish(deps: UploadDeps, userId: string, upload: Upload) {
  await completeUpload(deps, userId, upload.id);
  await deps.media.deleteTail(upload.id);
}

/** tus HEAD: where the upload stands. All bytes in but not completed (a failed try) completes now. */
export async function tusUploadInfo(deps: UploadDeps, userId: string, uploadId: string, now = new Date()) {
  const upload = await tusUpload(deps, userId, uploadId, now);
  const { offset } = await progress(deps, upload);
  if (offset === upload.size && upload.status === "open") await finish(deps, userId, upload);
  return infoOf(upload, offset);
}

export interface TusPatchInput {
  offset: number;
  contentType: string | undefined;
  contentLength: number | undefined;
  body: ReadableStream<Uint8Array> | null;
}

/**
 * tus PATCH: appends the body at `offset`, storing every part it completes as its bytes
 * arrive and keeping what is left past the last whole part as the tail. When the last byte
 * is in, completes the upload (video `processing`, one `video-upload` message).
 */
export async function tusPatch(
  deps: UploadDeps,
  userId: string,
  uploadId: string,
  input: TusPatchInput,
  now = new Date(),
) {
  if (input.contentType?.split(";")[0]?.trim().toLowerCase() !== OFFSET_STREAM) {
    throw problem("unsupported_media_type", { detail: `A PATCH must be ${OFFSET_STREAM}.` });
  }
  const upload = await tusUpload(deps, userId, uploadId, now);
  const { wholeParts, offset, tail } = await progress(deps, upload);
  if (input.offset !== offset) throw offsetMismatch(offset, input.offset);
  const length = input.contentLength ?? (input.body ? undefined : 0);
  if (length === undefined) throw problem("length_required", { detail: "A PATCH needs Content-Length." });
  const end = offset + length;
  if (end > upload.size) {
    throw validationFailed([{ name: "Content-Length", reason: `the body ends past Upload-Length (${upload.size})` }]);
  }
  if (upload.status === "completed") return infoOf(upload, offset);

  if (length > 0) {
    const sources: ReadableStream<Uint8Array>[] = [];
    if (tail > 0) sources.push(await readTail(deps, upload, wholeParts * upload.partSize, tail));
    if (input.body) sources.push(input.body);
    await writeFrom(deps, upload, new ByteCutter(sources), wholeParts, end);
  }
  if (end === upload.size) await finish(deps, userId, upload);
  return infoOf(upload, end);
}

/** The tail on record: the first `tail_size` bytes of the tail object (a longer object is a put D1 never heard of). */
async function readTail(
  deps: UploadDeps,
  upload: Upload,
  start: number,
  tailSize: number,
): Promise<ReadableStream<Uint8Array>> {
  const tail = await deps.media.getTail(upload.id, tailSize);
  if (!tailUsable(tail, start, tailSize)) {
    // Lost: forget it, so that the client's next HEAD resumes from the last whole part.
    await store.setTailSize(deps.db, upload.id, 0);
    throw problem("offset_mismatch", { detail: "The stored tail was lost; HEAD for the offset to resume from." });
  }
  return tail.body;
}

/**
 * Writes the bytes from part `wholeParts + 1` on, up to file offset `end`: whole parts into
 * the multipart upload, the rest into the tail. Each part is recorded only once R2 holds
 * it, and its record drops the tail in the same batch; a new tail is recorded only once R2
 * holds all of it. So D1 always describes bytes R2 really has, whatever point a cut comes at.
 */
async function writeFrom(deps: UploadDeps, upload: Upload, bytes: ByteCutter, wholeParts: number, end: number) {
  try {
    if (wholeParts === 0) {
      // The stream starts at byte 0: turn a renamed non-video away before storing anything.
      // A window wider than SNIFF_BYTES, so that the M2TS check (a sync byte at 192) is
      // made on real bytes rather than waved through on a short head.
      const want = Math.min(SNIFF_WINDOW, upload.size);
      if (end >= want && !sniffContainer(await bytes.peek(want))) {
        await abortUpload(deps, upload);
        throw unsupportedFormat("The file's first bytes are not those of a video container.");
      }
    }
    const multipart = deps.media.sourceUpload(upload.sourceKey, upload.r2UploadId);
    let at = wholeParts * upload.partSize;
    for (let n = wholeParts + 1; n <= upload.partCount && at + expectedPartSize(upload, n) <= end; n++) {
      const size = expectedPartSize(upload, n);
      const part = await streamPartToR2(multipart, n, bytes.take(size), size, false);
      await store.recordTusPart(deps.db, { uploadId: upload.id, part: n, size, etag: part.etag });
      at += size;
    }
    if (end > at) {
      const tail = new FixedLengthStream(end - at);
      await Promise.all([deps.media.putTail(upload.id, tail.readable, at), bytes.take(end - at).pipeTo(tail.writable)]);
      await store.setTailSize(deps.db, upload.id, end - at);
    }
  } catch (err) {
    await bytes.cancel(err);
    throw err;
  }
}

/** tus termination: like the chunk protocol's DELETE, nothing of the upload is kept. */
export async function terminateTusUpload(deps: UploadDeps, userId: string, uploadId: string) {
  const upload = await ownedUpload(deps.db, userId, uploadId);
  if (upload.protocol !== "tus") throw notFound("tus upload");
  await cancelUpload(deps, userId, uploadId);
}
