import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { z } from "zod";

/**
 * Every problem the API answers, by its stable `code` (the word clients switch on): its
 * HTTP status and title. The OpenAPI document's `code` enum and docs/api.md's table are this
 * table; a code that is not here cannot be thrown.
 */
export const PROBLEMS = {
  validation_failed: { status: 400, title: "Validation failed" },
  file_too_large: { status: 400, title: "File too large" },
  unsupported_format: { status: 400, title: "Unsupported format" },
  bad_part_size: { status: 400, title: "Bad part size" },
  cannot_subscribe_to_self: { status: 400, title: "Cannot subscribe to self" },
  comment_rejected: { status: 400, title: "Comment rejected" },
  playlist_full: { status: 400, title: "Playlist full" },
  watch_later_fixed: { status: 400, title: "Watch later is fixed" },
  too_many_webhooks: { status: 400, title: "Too many webhooks" },
  invalid_captions: { status: 400, title: "Invalid captions" },
  unauthorized: { status: 401, title: "Unauthorized" },
  invalid_credentials: { status: 401, title: "Invalid credentials" },
  account_suspended: { status: 401, title: "Account suspended" },
  forbidden: { status: 403, title: "Forbidden" },
  csrf_failed: { status: 403, title: "CSRF check failed" },
  blocked: { status: 403, title: "Blocked" },
  comments_closed: { status: 403, title: "Comments closed" },
  subscribers_only: { status: 403, title: "Subscribers only" },
  invalid_token: { status: 403, title: "Invalid playback token" },
  invalid_signature: { status: 403, title: "Invalid signature" },
  not_found: { status: 404, title: "Not found" },
  method_not_allowed: { status: 405, title: "Method not allowed" },
  email_taken: { status: 409, title: "Email taken" },
  username_taken: { status: 409, title: "Username taken" },
  upload_closed: { status: 409, title: "Upload closed" },
  upload_incomplete: { status: 409, title: "Upload incomplete" },
  offset_mismatch: { status: 409, title: "Offset mismatch" },
  not_playable: { status: 409, title: "Not playable" },
  not_processing: { status: 409, title: "Not processing" },
  already_reported: { status: 409, title: "Already reported" },
  already_settled: { status: 409, title: "Already settled" },
  already_in_playlist: { status: 409, title: "Already in playlist" },
  webhook_disabled: { status: 409, title: "Webhook disabled" },
  not_ready: { status: 409, title: "Not ready" },
  captions_exist: { status: 409, title: "Captions exist" },
  upload_gone: { status: 410, title: "Upload gone" },
  length_required: { status: 411, title: "Length required" },
  tus_version_unsupported: { status: 412, title: "Tus version unsupported" },
  payload_too_large: { status: 413, title: "Payload too large" },
  object_too_large: { status: 413, title: "Object too large" },
  unsupported_media_type: { status: 415, title: "Unsupported media type" },
  upgrade_required: { status: 426, title: "Upgrade required" },
  rate_limited: { status: 429, title: "Too many requests" },
  slow_mode: { status: 429, title: "Slow mode" },
  video_blocked: { status: 451, title: "Video blocked" },
  internal_error: { status: 500, title: "Internal error" },
  server_misconfigured: { status: 500, title: "Server misconfigured" },
  captions_unavailable: { status: 503, title: "Captions unavailable" },
  analytics_unavailable: { status: 503, title: "Analytics unavailable" },
} as const satisfies Record<string, { status: ContentfulStatusCode; title: string }>;

export type ProblemCode = keyof typeof PROBLEMS;
export const PROBLEM_CODES = Object.keys(PROBLEMS) as [ProblemCode, ...ProblemCode[]];

export interface InvalidParam {
  name: string;
  reason: string;
}

export interface ProblemOptions {
  /** What went wrong this time, in a sentence for a person. */
  detail?: string;
  /** Members added to the problem+json body (e.g. `missing_parts`). */
  extra?: Record<string, unknown>;
  /** Response headers (e.g. `Retry-After`, `Allow`). */
  headers?: Record<string, string>;
  /**
   * Another status than the catalogue's, only where API.md names one for this code on one
   * route (a caption file over 2 MB is 413 `file_too_large`; an upload's is 400).
   */
  status?: ContentfulStatusCode;
}

/**
 * The one error type services throw, made by `problem()`: `code` is the catalogue's key,
 * which fixes the status and title; `app.onError` turns it into problem+json.
 */
export class AppError extends Error {
  readonly status: ContentfulStatusCode;
  readonly title: string;
  readonly detail?: string;
  readonly extra: Record<string, unknown>;
  readonly headers: Record<string, string>;

  constructor(
    readonly code: ProblemCode,
    { detail, extra = {}, headers = {}, status }: ProblemOptions = {},
  ) {
    const { title } = PROBLEMS[code];
    super(detail ?? title);
    this.name = "AppError";
    this.status = status ?? PROBLEMS[code].status;
    this.title = title;
    this.detail = detail;
    this.extra = extra;
    this.headers = headers;
  }
}

/** A problem from the catalogue: `throw problem("upload_incomplete", { detail, extra })`. */
export const problem = (code: ProblemCode, options?: ProblemOptions) => new AppError(code, options);

export const notFound = (what = "Resource") => problem("not_found", { detail: `${what} not found.` });

export const unauthorized = (detail = "A valid bearer token is required.") =>
  problem("unauthorized", { detail, headers: { "WWW-Authenticate": "Bearer" } });

export const forbidden = (detail = "You may not do this to a resource you do not own.") =>
  problem("forbidden", { detail });

export const validationFailed = (invalid: InvalidParam[], detail = "The request is not valid.") =>
  problem("validation_failed", { detail, extra: { invalid_params: invalid } });

/**
 * Each issue of a zod failure as `{ name, reason }`: the issue's path, under `prefix` when the
 * input is one part of the request (a header's fields), or `target` for the input as a whole.
 */
export function invalidParams(error: z.ZodError, { target = "body", prefix }: ParamNames = {}): InvalidParam[] {
  return error.issues.map((issue) => {
    const path = issue.path.map(String).join(".");
    return { name: path ? (prefix ? `${prefix}.${path}` : path) : target, reason: issue.message };
  });
}

export interface ParamNames {
  target?: string;
  prefix?: string;
}

/** The one way a zod failure becomes a 400 `validation_failed` naming every bad parameter. */
export const invalid = (error: z.ZodError, names?: ParamNames, detail?: string) =>
  validationFailed(invalidParams(error, names), detail);

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail?: string;
  code: string;
  instance?: string;
  [member: string]: unknown;
}

/** The problem+json body of an AppError (RFC 9457). */
export function problemOf(err: AppError, instance?: string): Problem {
  return {
    type: `https://cloudtube.dev/problems/${err.code}`,
    title: err.title,
    status: err.status,
    detail: err.detail,
    code: err.code,
    instance,
    ...err.extra,
  };
}

export function problemResponse(err: AppError, requestId?: string): Response {
  const body = problemOf(err, requestId ? `urn:request:${requestId}` : undefined);
  return new Response(JSON.stringify(body), {
    status: err.status,
    headers: { "Content-Type": "application/problem+json", ...err.headers },
  });
}
