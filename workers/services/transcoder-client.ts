import { getContainer } from "@cloudflare/containers";
import { type JobRequest, JobStatus } from "../../contracts/transcoder";

/**
 * What the transcoder says of a video's job: working on it; `lost` it (it never had it, or
 * it ended without the Worker hearing: the process or Container was restarted); or it did
 * not answer at all.
 */
export type JobState = "running" | "lost" | "unreachable";

/**
 * The one boundary between the Worker and the transcoder. In production the transcoder is
 * the `Transcoder` Container (one instance per video, so a redelivered job lands on the
 * instance already doing it); locally it is the same service as a Node process at
 * TRANSCODER_URL. The request and its answers are the same either way.
 */
export interface TranscoderClient {
  startJob(job: JobRequest): Promise<void>;
  /** Asked by the watchdog: a dead transcoder is noticed in seconds, not after the stall timeout. */
  jobState(videoId: string): Promise<JobState>;
}

type Fetcher = (req: Request) => Promise<Response>;

async function post(fetcher: Fetcher, base: string, job: JobRequest) {
  const res = await fetcher(
    new Request(`${base}/jobs`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(job),
    }),
  );
  if (res.status !== 202 && res.status !== 200) {
    throw new Error(`transcoder answered ${res.status}: ${(await res.text()).slice(0, 200)}`);
  }
}

async function state(fetcher: Fetcher, base: string, videoId: string): Promise<JobState> {
  try {
    const res = await fetcher(new Request(`${base}/jobs/${encodeURIComponent(videoId)}`));
    if (res.status === 404) return "lost";
    if (!res.ok) return "unreachable";
    const status = JobStatus.safeParse(await res.json());
    if (!status.success) return "unreachable";
    return status.data.done ? "lost" : "running";
  } catch {
    return "unreachable";
  }
}

export function transcoderFromEnv(env: Env): TranscoderClient {
  if (env.TRANSCODER_URL) {
    const base = env.TRANSCODER_URL.replace(/\/$/, "");
    const fetcher: Fetcher = (req) => fetch(req);
    return { startJob: (job) => post(fetcher, base, job), jobState: (videoId) => state(fetcher, base, videoId) };
  }
  // Asking a stopped Container starts a fresh one, which answers that it has no such job.
  const container =
    (videoId: string): Fetcher =>
    (req) =>
      getContainer(env.TRANSCODER, videoId).fetch(req);
  return {
    startJob: (job) => post(container(job.video_id), "http://transcoder", job),
    jobState: (videoId) => state(container(videoId), "http://transcoder", videoId),
  };
}
