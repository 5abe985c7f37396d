import type { Database } from "../env";
import { AppError, forbidden, notFound, problem, validationFailed } from "../lib/errors";
import { newId } from "../lib/ids";
import { inRounds } from "../lib/rounds";
import { readHead } from "../lib/streams";
import type { Producer } from "../schemas/queues";
import type { VideoUploadMessage } from "../schemas/uploads";
import { findChannelByOwner } from "../storage/accounts";
import { type MediaStore, sourceKey } from "../storage/media";
import type { PartPresigner } from "../storage/s3-presign";
import type { Upload, UploadPart } from "../storage/schema";
import * as store from "../storage/uploads";
import { findVideoTitle } from "../storage/videos";
import { declaredFormatProblem, SNIFF_BYTES, sniffContainer } from "./media-format";

const MiB = 1024 * 1024;
/** R2 multipart limits: parts of 5 MiB to 5 GiB, all equal but the last, at most 10,000. */
export const R2_MIN_PART = 5 * MiB;
export const R2_MAX_PART = 5 * 1024 * MiB;
export const R2_MAX_PARTS = 10_000;
/** How long one complete may hold its claim before another may take over. */
const COMPLETION_LEASE_MS = 60_000;

export interface UploadConfig {
  maxUploadBytes: number;
  defaultPartSize: number;
  ttlHours: number;
}

export interface UploadDeps {
  db: Database;
  media: MediaStore;
  queue: Producer<VideoUploadMessage>;
  config: UploadConfig;
  /** Present when R2 S3 credentials are configured: parts go straight to R2. */
  presigner?: PartPresigner;
}

export interface InitiateInput {
  filename: string;
  size: number;
  content_type: string;
  title: string;
  description?: string;
  tags?: string[];
  category?: string;
  visibility?: "public" | "unlisted" | "private";
  /** What is spoken, a canonical BCP 47 tag. */
  language?: string;
  /** Which protocol sends the bytes; tus uploads get no presigned part URLs. */
  protocol?: Upload["protocol"];
}

/**
 * The part size for a file: the default (at least R2's 5 MiB), raised in whole MiB so the
 * file fits in R2's 10,000 parts.
 */
export function choosePartSize(size: number, defaultPartSize: number): number {
  const base = Math.max(R2_MIN_PART, defaultPartSize);
  const needed = Math.ceil(size / R2_MAX_PARTS / MiB) * MiB;
  return Math.min(R2_MAX_PART, Math.max(base, needed));
}

export const partCountOf = (size: number, partSize: number) => Math.max(1, Math.ceil(size / partSize));

/** The exact size part `n` must have: `part_size` for all but the last. */
export function expectedPartSize(upload: Pick<Upload, "size" | "partSize" | "partCount">, n: number): number {
  return n < upload.partCount ? upload.partSize : upload.size - upload.partSize * (upload.partCount - 1);
}

const fileTooLarge = (size: number, max: number) =>
  problem("file_too_large", {
    detail: `The file is ${size} bytes; the limit is ${max} bytes.`,
    extra: { max_size: max },
  });

export const unsupportedFormat = (detail: string) => problem("unsupported_format", { detail });

const uploadClosed = (upload: Upload, now: Date) => {
  const why = upload.status === "open" && upload.expiresAt <= now ? "expired" : upload.status;
  return problem("upload_closed", {
    detail: `This upload is ${why} and takes no more parts.`,
    extra: { upload_status: why },
  });
};

/** Creates the video (`uploading`), its upload row and the R2 multipart upload. */
export async function initiateUpload(deps: UploadDeps, ownerId: string, input: InitiateInput, now = new Date()) {
  if (input.size > deps.config.maxUploadBytes) throw fileTooLarge(input.size, deps.config.maxUploadBytes);
  const formatProblem = declaredFormatProblem(input.filename, input.content_type);
  if (formatProblem) throw unsupportedFormat(formatProblem);
  const channel = await findChannelByOwner(deps.db, ownerId);
  if (!channel) throw notFound("Your channel");

  const videoId = newId();
  const uploadId = newId();
  const key = sourceKey(videoId, input.filename);
  const partSize = choosePartSize(input.size, deps.config.defaultPartSize);
  const partCount = partCountOf(input.size, partSize);
  const expiresAt = new Date(now.getTime() + deps.config.ttlHours * 3600_000);

  const multipart = await deps.media.createSourceUpload(key, input.content_type, {
    video_id: videoId,
    upload_id: uploadId,
  });
  try {
    await store.insertVideoAndUpload(
      deps.db,
      {
        id: videoId,
        channelId: channel.id,
        ownerId,
        title: input.title,
        description: input.description ?? "",
        tags: input.tags ?? [],
        category: input.category ?? null,
        visibility: input.visibility ?? "public",
        language: input.language ?? null,
        status: "uploading",
      },
      {
        id: uploadId,
        videoId,
        ownerId,
        protocol: input.protocol ?? "chunked",
        r2UploadId: multipart.uploadId,
        sourceKey: key,
        filename: input.filename,
        contentType: input.content_type,
        size: input.size,
        partSize,
        partCount,
        expiresAt,
      },
    );
  } catch (err) {
    // Nothing may stay behind in R2 for an upload D1 does not know.
    await multipart.abort().catch(() => {});
    throw err;
  }

  const partUrls =
    deps.presigner && input.protocol !== "tus"
      ? await deps.presigner.presignParts(key, multipart.uploadId, partCount, deps.config.ttlHours * 3600)
      : undefined;
  return {
    upload_id: uploadId,
    video_id: videoId,
    part_size: partSize,
    part_count: partCount,
    expires_at: expiresAt.toISOString(),
    ...(partUrls ? { part_urls: partUrls } : {}),
  };
}

/** The upload, if it exists and belongs to `userId` (404 and 403 otherwise). */
export async function ownedUpload(db: Database, userId: string, uploadId: string): Promise<Upload> {
  const upload = await store.findUpload(db, uploadId);
  if (!upload) throw notFound("Upload");
  if (upload.ownerId !== userId) throw forbidden("Only the uploader may use this upload.");
  return upload;
}

/** An upload still open for parts: not completed, aborted or expired. */
export function assertOpen(upload: Upload, now = new Date()) {
  if (upload.status !== "open" || upload.expiresAt <= now) throw uploadClosed(upload, now);
}

export function assertPartNumber(upload: Upload, n: number) {
  if (!Number.isInteger(n) || n < 1 || n > upload.partCount) {
    throw validationFailed([{ name: "part", reason: `must be an integer from 1 to ${upload.partCount}` }]);
  }
}

export const badPartSize = (n: number, expected: number, got: number | string) =>
  problem("bad_part_size", {
    detail: `Part ${n} must be exactly ${expected} bytes; got ${got}.`,
    extra: { part: n, expected_size: expected },
  });

/**
 * Streams `body` into part `n` of the multipart upload, exactly `size` bytes. The body is
 * never held whole: FixedLengthStream gives R2 the known length it needs and fails the
 * write if the sender stops short or sends more.
 */
export async function streamPartToR2(
  multipart: R2MultipartUpload,
  n: number,
  body: ReadableStream<Uint8Array>,
  size: number,
  checkMagic: boolean,
): Promise<R2UploadedPart> {
  let source = body;
  if (checkMagic) {
    const reader = body.getReader();
    const head = await readHead(reader, Math.min(SNIFF_BYTES, size));
    if (!sniffContainer(head)) {
      await reader.cancel().catch(() => {});
      throw unsupportedFormat("The file's first bytes are not those of a video container.");
    }
    source = new ReadableStream<Uint8Array>({
      start(controller) {
        if (head.byteLength) controller.enqueue(head);
      },
      async pull(controller) {
        const { done, value } = await reader.read();
        if (done) controller.close();
        else controller.enqueue(value);
      },
      cancel: (reason) => reader.cancel(reason),
    });
  }
  const fixed = new FixedLengthStream(size);
  let bodyFailed = false;
  const piping = source.pipeTo(fixed.writable).catch((err: unknown) => {
    bodyFailed = true;
    throw err;
  });
  try {
    const [uploaded] = await Promise.all([multipart.uploadPart(n, fixed.readable), piping]);
    return uploaded;
  } catch (err) {
    // Too few or too many bytes surface either from the pipe or from R2 reading the
    // FixedLengthStream; both mean the sender's part was not the size it must be.
    if (bodyFailed || String(err).includes("FixedLengthStream")) {
      throw problem("bad_part_size", {
        detail: `Part ${n} did not carry exactly ${size} bytes.`,
        extra: { part: n, expected_size: size },
      });
    }
    throw err;
  }
}

/** Stores part `n` of an upload from the request body (spec: "Upload chunk to S3"). */
export async function putPart(
  deps: UploadDeps,
  userId: string,
  uploadId: string,
  n: number,
  body: ReadableStream<Uint8Array> | null,
  contentLength: number | undefined,
) {
  const upload = await ownedUpload(deps.db, userId, uploadId);
  assertOpen(upload);
  assertPartNumber(upload, n);
  const expected = expectedPartSize(upload, n);
  if (contentLength !== undefined && contentLength !== expected) throw badPartSize(n, expected, contentLength);
  if (!body) throw badPartSize(n, expected, 0);

  const multipart = deps.media.sourceUpload(upload.sourceKey, upload.r2UploadId);
  let uploaded: R2UploadedPart;
  try {
    uploaded = await streamPartToR2(multipart, n, body, expected, n === 1);
  } catch (err) {
    if (err instanceof AppError && err.code === "unsupported_format") await abortUpload(deps, upload);
    throw err;
  }
  await store.upsertPart(deps.db, { uploadId, part: n, size: expected, etag: uploaded.etag });
  return { part: n, size: expected, etag: uploaded.etag };
}

/** The parts received so far: from D1, or from R2's S3 API when parts bypass the Worker. */
async function receivedParts(deps: UploadDeps, upload: Upload): Promise<Pick<UploadPart, "part" | "size" | "etag">[]> {
  if (upload.protocol === "chunked" && deps.presigner) {
    const parts = await deps.presigner.listParts(upload.sourceKey, upload.r2UploadId);
    for (const part of parts) await store.upsertPart(deps.db, { uploadId: upload.id, ...part });
  }
  return store.listParts(deps.db, upload.id);
}

/** The upload as the client sees it (spec: "resume from the last part"). */
export async function uploadState(deps: UploadDeps, userId: string, uploadId: string) {
  const upload = await ownedUpload(deps.db, userId, uploadId);
  const parts =
    upload.status === "open" ? await receivedParts(deps, upload) : await store.listParts(deps.db, upload.id);
  return {
    upload_id: upload.id,
    video_id: upload.videoId,
    status: upload.status === "open" && upload.expiresAt <= new Date() ? ("aborted" as const) : upload.status,
    size: upload.size,
    part_size: upload.partSize,
    part_count: upload.partCount,
    // A completed upload's parts are forgotten after COMPLETED_PARTS_KEPT_MS; every byte came.
    parts: parts.map((p) => ({ part: p.part, size: p.size, etag: p.etag })),
    received_bytes: upload.status === "completed" ? upload.size : parts.reduce((sum, p) => sum + p.size, 0),
    expires_at: upload.expiresAt.toISOString(),
  };
}

/** The numbers of the parts that are missing or of the wrong size. */
export function missingParts(upload: Upload, parts: Pick<UploadPart, "part" | "size">[]): number[] {
  const have = new Map(parts.map((p) => [p.part, p.size]));
  const missing: number[] = [];
  for (let n = 1; n <= upload.partCount; n++) {
    if (have.get(n) !== expectedPartSize(upload, n)) missing.push(n);
  }
  return missing;
}

/**
 * Completes the upload: every part present with its size, the R2 object assembled, the
 * video `processing` and one `video-upload` message sent. Idempotent under repeats and
 * concurrent calls: one caller claims the completion; the rest answer as if done.
 */
export async function completeUpload(deps: UploadDeps, userId: string, uploadId: string, now = new Date()) {
  const upload = await ownedUpload(deps.db, userId, uploadId);
  const accepted = { video_id: upload.videoId, status: "processing" as const };
  if (upload.status === "completed") return accepted;
  if (upload.status === "aborted" || upload.expiresAt <= now) throw uploadClosed(upload, now);

  const parts = await receivedParts(deps, upload);
  const missing = missingParts(upload, parts);
  if (missing.length) {
    throw problem("upload_incomplete", {
      detail: `${missing.length} of ${upload.partCount} parts are missing or of the wrong size.`,
      extra: { missing_parts: missing.slice(0, 1000), missing_count: missing.length },
    });
  }
  if (!(await store.claimCompletion(deps.db, upload.id, now, COMPLETION_LEASE_MS))) return accepted;

  try {
    await assembleObject(deps.media, upload, parts);
    // Send before marking completed: a crash between the two leaves the claim to expire and
    // a later complete to send again, which the idempotent consumer absorbs; the other
    // order could lose the message and strand the video in `processing`.
    await deps.queue.send({
      video_id: upload.videoId,
      source_key: upload.sourceKey,
      metadata: {
        filename: upload.filename,
        content_type: upload.contentType,
        size: upload.size,
        owner_id: upload.ownerId,
        title: (await findVideoTitle(deps.db, upload.videoId)) ?? upload.filename,
      },
    });
    await store.markCompleted(deps.db, upload, now);
  } catch (err) {
    await store.releaseCompletion(deps.db, upload.id);
    throw err;
  }
  return accepted;
}

async function assembleObject(media: MediaStore, upload: Upload, parts: Pick<UploadPart, "part" | "etag">[]) {
  const multipart = media.sourceUpload(upload.sourceKey, upload.r2UploadId);
  try {
    await multipart.complete(parts.map((p) => ({ partNumber: p.part, etag: p.etag })));
  } catch (err) {
    // An earlier attempt may have completed it and died before recording so.
    const existing = await media.headSource(upload.sourceKey);
    if (existing?.size === upload.size) return;
    throw err;
  }
}

/** Aborts an upload that has not completed: nothing of it stays in R2 or D1. */
export async function abortUpload(deps: Pick<UploadDeps, "db" | "media">, upload: Upload) {
  await deps.media
    .sourceUpload(upload.sourceKey, upload.r2UploadId)
    .abort()
    .catch(() => {
      // Already aborted or completed elsewhere: nothing left to abort.
    });
  await deps.media.deleteUploadObjects(upload);
  await store.deleteUploadRows(deps.db, upload);
}

/** DELETE by the owner: aborts an open upload; a completed one is the video's now. */
export async function cancelUpload(deps: UploadDeps, userId: string, uploadId: string) {
  const upload = await ownedUpload(deps.db, userId, uploadId);
  if (upload.status === "completed" || upload.status === "completing") {
    throw problem("upload_closed", {
      detail: "This upload is complete; delete the video instead.",
      extra: { upload_status: upload.status },
    });
  }
  await abortUpload(deps, upload);
}

/** Cron: aborts uploads past `expires_at` (default 24 h), a batch at a time. */
export async function expireUploads(deps: Pick<UploadDeps, "db" | "media">, now = new Date(), batch = 50) {
  const expired = await store.findExpiredUploads(deps.db, now, batch);
  for (const upload of expired) await abortUpload(deps, upload);
  return expired.length;
}

/** How long a completed upload's parts are kept (its `GET` lists them until then). */
export const COMPLETED_PARTS_KEPT_MS = 7 * 24 * 3600_000;
const PARTS_BATCH = 5_000;
const PARTS_ROUNDS = 10;

/**
 * Cron: forgets the parts of completed uploads stored over COMPLETED_PARTS_KEPT_MS ago. Nothing
 * reads them once the object is assembled but the upload's `GET`, which then answers an empty
 * `parts` (and `received_bytes` = `size`): as S3 forgets a completed multipart upload's parts.
 * At 10 million views a day they were 11 MB a day of the shared D1 for good (docs/capacity.md).
 */
export const pruneUploadParts = (db: Database, now: number, batch = PARTS_BATCH) =>
  inRounds(PARTS_ROUNDS, batch, async () => [
    await store.pruneCompletedParts(db, now - COMPLETED_PARTS_KEPT_MS, batch),
  ]);
