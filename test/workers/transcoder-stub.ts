import { exports } from "cloudflare:workers";
import { afterEach, beforeEach, vi } from "vitest";
import type {
  JobRequest,
  TranscribeRequest,
  TranscribeResult,
  TranscriberInfo,
  TranscriptSegment,
} from "../../contracts/transcoder";

/**
 * The transcoder cannot run inside workerd (it is a Container in production, a Node process
 * locally), so Worker tests stub it at its one HTTP boundary: jobs sent to TRANSCODER_URL
 * are recorded, and the tests play the transcoder's part through the signed URLs
 * (`sendEvent`, `putMedia`). Fixtures built on it (a processing or ready video) are in fixtures.ts.
 */
export const transcoder = { jobs: [] as JobRequest[], up: true, running: new Set<string>() };

/**
 * The transcoder's speech side (`GET`/`POST /transcripts`), as its local engine answers: the
 * tests say what it can do and which segments it hears (the transcriber's boundary), and see
 * every request. `answer` replaces the whole answer (a failure, chunks).
 */
export const speech = {
  info: { engine: "pocketsphinx", languages: ["en"], chunks: true } as TranscriberInfo,
  segments: [] as TranscriptSegment[],
  requests: [] as TranscribeRequest[],
  answer: undefined as ((request: TranscribeRequest) => Response | Promise<Response>) | undefined,
};

export function stubTranscoder() {
  beforeEach(() => {
    transcoder.jobs = [];
    transcoder.up = true;
    transcoder.running = new Set();
    speech.info = { engine: "pocketsphinx", languages: ["en"], chunks: true };
    speech.segments = [];
    speech.requests = [];
    speech.answer = undefined;
    const realFetch = globalThis.fetch;
    vi.spyOn(globalThis, "fetch").mockImplementation(async (input, init) => {
      const request = new Request(input, init);
      if (request.url.startsWith("http://transcoder.test/")) {
        if (!transcoder.up) throw new TypeError("connect ECONNREFUSED");
        if (new URL(request.url).pathname === "/transcripts") {
          if (request.method === "GET") return Response.json(speech.info);
          const asked = (await request.json()) as TranscribeRequest;
          speech.requests.push(asked);
          if (speech.answer) return speech.answer(asked);
          const result: TranscribeResult = { duration: 10, segments: speech.segments };
          return Response.json(result);
        }
        // GET /jobs/:video_id, as the transcoder answers it: running, or 404 once it lost the job.
        const asked = /\/jobs\/([^/]+)$/.exec(new URL(request.url).pathname)?.[1];
        if (request.method === "GET" && asked) {
          return transcoder.running.has(asked)
            ? Response.json({ job_id: "j", video_id: asked, started_at: new Date().toISOString(), done: false })
            : Response.json({ code: "not_found" }, { status: 404 });
        }
        const job = (await request.json()) as JobRequest;
        transcoder.jobs.push(job);
        transcoder.running.add(job.video_id);
        return Response.json({ job_id: "j" }, { status: 202 });
      }
      return realFetch(request);
    });
  });
  afterEach(() => vi.restoreAllMocks());
}

const call = (url: string, init?: RequestInit) => exports.default.fetch(new Request(url, init));

export const sendEvent = (job: JobRequest, event: unknown) =>
  call(job.events_url, {
    method: "POST",
    body: JSON.stringify(event),
    headers: { "Content-Type": "application/json" },
  });

export const putMedia = (job: JobRequest, path: string, bytes: Uint8Array | string, type?: string) =>
  call(`${job.output.base_url}/${path}?${job.output.query}`, {
    method: "PUT",
    body: bytes,
    headers: type ? { "Content-Type": type } : {},
  });
