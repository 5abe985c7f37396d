/** Exponential backoff with full jitter: 0.5 s, 1 s, 2 s ... capped, each randomised. */
export function backoffMs(attempt: number, baseMs = 500, capMs = 30_000, random = Math.random): number {
  const ceiling = Math.min(capMs, baseMs * 2 ** attempt);
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

/** A failure worth retrying: the network, the server (5xx), or a rate limit (429). */
export class RetryableError extends Error {
  readonly retryAfterMs?: number;
  constructor(message: string, retryAfterMs?: number) {
    super(message);
    this.retryAfterMs = retryAfterMs;
  }
}

/** A problem+json answer the client cannot fix by retrying (4xx). */
export class ProblemError extends Error {
  readonly status: number;
  readonly code: string;
  constructor(status: number, code: string, detail: string) {
    super(detail);
    this.status = status;
    this.code = code;
  }
}

/** Turns a non-2xx answer into the right error. */
export async function failure(res: Response, what: string): Promise<Error> {
  let body: { code?: string; detail?: string; title?: string } = {};
  try {
    body = (await res.json()) as typeof body;
  } catch {
    // not problem+json
  }
  if (res.status === 429 || res.status >= 500) {
    const retryAfter = Number(res.headers.get("Retry-After"));
    return new RetryableError(
      `${what}: ${res.status} ${body.code ?? ""}`.trim(),
      Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1000 : undefined,
    );
  }
  return new ProblemError(
    res.status,
    body.code ?? "http_error",
    body.detail ?? body.title ?? `${what} failed with ${res.status}`,
  );
}

/** Runs `task` until it succeeds, retrying RetryableErrors and network errors with backoff. */
export async function withRetries<T>(
  task: () => Promise<T>,
  options: {
    attempts?: number;
    onRetry?: (error: Error, waitMs: number, attempt: number) => void;
    sleep?: (ms: number) => Promise<void>;
  } = {},
): Promise<T> {
  const attempts = options.attempts ?? 8;
  const sleep = options.sleep ?? ((ms: number) => new Promise((r) => setTimeout(r, ms)));
  for (let attempt = 0; ; attempt++) {
    try {
      return await task();
    } catch (err) {
      const error = err instanceof Error ? err : new Error(String(err));
      if (error instanceof ProblemError || attempt + 1 >= attempts) throw error;
      const waitMs = error instanceof RetryableError && error.retryAfterMs ? error.retryAfterMs : backoffMs(attempt);
      options.onRetry?.(error, waitMs, attempt + 1);
      await sleep(waitMs);
    }
  }
}
