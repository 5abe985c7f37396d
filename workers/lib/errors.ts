import type { ContentfulStatusCode } from "hono/utils/http-status";

export interface InvalidParam {
  name: string;
  reason: string;
}

/**
 * The one error type services throw. `code` is the stable snake_case word clients switch
 * on (docs/api.md); `extra` adds members to the problem+json body (e.g. `missing_parts`).
 */
export class AppError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: string,
    readonly title: string,
    readonly detail?: string,
    readonly extra: Record<string, unknown> = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(detail ?? title);
    this.name = "AppError";
  }
}

export const notFound = (what = "Resource") => new AppError(404, "not_found", "Not found", `${what} not found.`);

export const unauthorized = (detail = "A valid bearer token is required.") =>
  new AppError(401, "unauthorized", "Unauthorized", detail, {}, { "WWW-Authenticate": "Bearer" });

export const forbidden = (detail = "You may not do this to a resource you do not own.") =>
  new AppError(403, "forbidden", "Forbidden", detail);

export const validationFailed = (invalid: InvalidParam[], detail = "The request is not valid.") =>
  new AppError(400, "validation_failed", "Validation failed", detail, { invalid_params: invalid });

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
