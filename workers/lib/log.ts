/**
 * The one log line format: a JSON object per event, `{ level, msg, ...fields }`, with snake_case
 * fields (`request_id`, `video_id`, `error`). Workers Logs and `wrangler tail` index JSON
 * lines by field, so a failure is found by its request id or video id rather than by text.
 */
export type LogLevel = "info" | "warn" | "error";

// Looked up at each call, not kept: tests replace console's methods to read or silence lines.
const METHOD = { info: "log", warn: "warn", error: "error" } as const;

export function log(level: LogLevel, msg: string, fields: Record<string, unknown> = {}): void {
  console[METHOD[level]](JSON.stringify({ level, msg, ...fields }));
}

/** An error as a log field: name, message and stack for an Error, its text otherwise. */
export const errorField = (err: unknown) =>
  err instanceof Error ? { name: err.name, message: err.message, stack: err.stack } : String(err);
