// Everything the transcoder sends back to the Worker: outputs through the signed media URL,
// events through the signed events URL, each retried with backoff.
import { readFile } from "node:fs/promises";
import type { JobEvent, JobRequest } from "./protocol.ts";

const CONTENT_TYPES: Record<string, string> = {
  m3u8: "application/vnd.apple.mpegurl",
  ts: "video/mp2t",
  m4s: "video/iso.segment",
  mp4: "video/mp4",
  jpg: "image/jpeg",
  vtt: "text/vtt",
};

async function withRetries(what: string, task: () => Promise<Response>, attempts = 5): Promise<Response> {
  let last: unknown;
  for (let attempt = 0; attempt < attempts; attempt++) {
    try {
      const res = await task();
      // 4xx (but 429) will not get better: the video was deleted, or the URL expired.
      if (res.ok || (res.status >= 400 && res.status < 500 && res.status !== 429)) return res;
      last = new Error(`${what}: HTTP ${res.status}`);
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, Math.min(10_000, 250 * 2 ** attempt)));
  }
  throw last instanceof Error ? last : new Error(String(last));
}

export class Publisher {
  private readonly job: JobRequest;
  constructor(job: JobRequest) {
    this.job = job;
  }

  /** Stores `path` (relative to the video's media) with the bytes of `file` or a string. */
  async put(path: string, body: string | { file: string }): Promise<void> {
    const bytes = typeof body === "string" ? Buffer.from(body) : await readFile(body.file);
    const ext = path.slice(path.lastIndexOf(".") + 1);
    const res = await withRetries(`PUT ${path}`, () =>
      fetch(`${this.job.output.base_url}/${path}?${this.job.output.query}`, {
        method: "PUT",
        headers: { "Content-Type": CONTENT_TYPES[ext] ?? "application/octet-stream" },
        body: new Uint8Array(bytes),
      }),
    );
    if (!res.ok) throw new Error(`PUT ${path}: HTTP ${res.status}`);
  }

  /** Asks the Worker to remove every output of the video (after a failure). */
  async clear(): Promise<void> {
    await withRetries("DELETE media", () =>
      fetch(`${this.job.output.base_url}?${this.job.output.query}`, { method: "DELETE" }),
    ).catch(() => {});
  }

  async event(event: JobEvent): Promise<void> {
    const res = await withRetries(`event ${event.type}`, () =>
      fetch(this.job.events_url, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify(event),
      }),
    );
    if (!res.ok) throw new Error(`event ${event.type}: HTTP ${res.status}`);
  }
}
