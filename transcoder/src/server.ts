// The transcoder's HTTP face: POST /jobs starts a job (202 at once), GET /jobs/:video_id
// tells its state, GET /health answers 200; GET /transcripts says what it can transcribe and
// POST /transcripts transcribes a video's audio (answered when done: auto captions). A
// Cloudflare Container in production, a plain Node process in local dev (npm start); the same
// code either way.
import { readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { serve } from "@hono/node-server";
import { Hono } from "hono";
import { runJob } from "./job.ts";
import { JobRequest, type JobStatus, TranscribeRequest } from "./protocol.ts";
import { Publisher } from "./publish.ts";
import { engineInfo, findEngine, transcribe, Unavailable } from "./transcribe.ts";

const jobs = new Map<string, JobStatus>();
// The one folder jobs write to; each job removes its own folder when it ends. A WORK_DIR of
// its own (the image's /scratch) is emptied at start of what a killed process left behind;
// the shared default under the system's temporary folder is not (another process may use it).
const workRoot = process.env.WORK_DIR ?? path.join(tmpdir(), "cloudtube-transcoder");
if (process.env.WORK_DIR) {
  for (const entry of await readdir(workRoot).catch(() => [])) {
    await rm(path.join(workRoot, entry), { recursive: true, force: true });
  }
}
// The local speech engine is looked for once: installing it takes a restart.
const engine = await findEngine();
console.log(JSON.stringify({ level: "info", msg: "speech engine", engine: engine?.name ?? null }));
const app = new Hono();

const problem = (status: 400 | 404 | 500 | 503, code: string, detail: string, extra: Record<string, unknown> = {}) =>
  new Response(
    JSON.stringify({ type: `https://cloudtube.dev/problems/${code}`, title: code, status, code, detail, ...extra }),
    {
      status,
      headers: { "Content-Type": "application/problem+json" },
    },
  );

app.get("/health", (c) => c.json({ ok: true, running: [...jobs.values()].filter((j) => !j.done).length }));

app.post("/jobs", async (c) => {
  const parsed = JobRequest.safeParse(await c.req.json().catch(() => undefined));
  if (!parsed.success) {
    return problem(400, "validation_failed", "The job request is not valid.", {
      invalid_params: parsed.error.issues.map((i) => ({ name: i.path.join("."), reason: i.message })),
    });
  }
  const job = parsed.data;
  const existing = jobs.get(job.video_id);
  // A redelivered job for a video being worked on is the same job.
  if (existing && !existing.done) return c.json({ job_id: existing.job_id }, 202);
  const running: JobStatus = {
    job_id: crypto.randomUUID(),
    video_id: job.video_id,
    started_at: new Date().toISOString(),
    done: false,
  };
  jobs.set(job.video_id, running);
  const threads = Number(process.env.FFMPEG_THREADS ?? 0);
  void runJob(job, new Publisher(job), { threads, workRoot })
    .catch((err: unknown) =>
      console.error(JSON.stringify({ level: "error", msg: "job crashed", video_id: job.video_id, error: String(err) })),
    )
    .finally(() => {
      running.done = true;
      console.log(JSON.stringify({ level: "info", msg: "job finished", video_id: job.video_id }));
    });
  console.log(JSON.stringify({ level: "info", msg: "job started", video_id: job.video_id, job_id: running.job_id }));
  return c.json({ job_id: running.job_id }, 202);
});

app.get("/jobs/:video_id", (c) => {
  const running = jobs.get(c.req.param("video_id"));
  return running ? c.json(running) : problem(404, "not_found", "No such job.");
});

app.get("/transcripts", (c) => c.json(engineInfo(engine)));

app.post("/transcripts", async (c) => {
  const parsed = TranscribeRequest.safeParse(await c.req.json().catch(() => undefined));
  if (!parsed.success) {
    return problem(400, "validation_failed", "The transcription request is not valid.", {
      invalid_params: parsed.error.issues.map((i) => ({ name: i.path.join("."), reason: i.message })),
    });
  }
  try {
    return c.json(await transcribe(parsed.data, engine, { workRoot }));
  } catch (err) {
    if (err instanceof Unavailable) return problem(503, "captions_unavailable", err.message);
    console.error(
      JSON.stringify({
        level: "error",
        msg: "transcription failed",
        video_id: parsed.data.video_id,
        error: String(err),
      }),
    );
    return problem(500, "transcription_failed", "The audio could not be transcribed.");
  }
});

const port = Number(process.env.PORT ?? 8080);
serve({ fetch: app.fetch, port, hostname: process.env.HOST ?? "0.0.0.0" }, () =>
  console.log(JSON.stringify({ level: "info", msg: "transcoder listening", port })),
);
