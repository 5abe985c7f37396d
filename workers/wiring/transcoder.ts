import { getContainer } from "@cloudflare/containers";
import { type JobRequest, JobStatus, TranscribeResult, TranscriberInfo } from "../../contracts/transcoder";
import type { JobState, TranscoderClient } from "../services/processing";
import type { TranscoderSpeech } from "../transcribers/local";
import { TranscriberUnavailable } from "../transcribers/transcriber";

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

/**
 * The transcoder of this environment: the service at TRANSCODER_URL (local dev: a Node
 * process), else the `Transcoder` Container, one instance per video, so that a redelivered
 * job lands on the instance already doing it. The requests and answers are the same.
 */
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

/**
 * The transcoder's speech side (auto captions): `GET /transcripts` (what it can do) and
 * `POST /transcripts` (answered when done), at TRANSCODER_URL or on the video's Container.
 */
export function transcoderSpeech(env: Env, videoId: string): TranscoderSpeech {
  const fetcher: Fetcher = env.TRANSCODER_URL
    ? (req) => fetch(req)
    : (req) => getContainer(env.TRANSCODER, videoId).fetch(req);
  const base = env.TRANSCODER_URL ? env.TRANSCODER_URL.replace(/\/$/, "") : "http://transcoder";
  return {
    info: async () => {
      try {
        const res = await fetcher(new Request(`${base}/transcripts`));
        const info = res.ok ? TranscriberInfo.safeParse(await res.json()) : undefined;
        return info?.success ? info.data : null;
      } catch {
        return null;
      }
    },
    transcribe: async (request) => {
      const res = await fetcher(
        new Request(`${base}/transcripts`, {
          method: "POST",
          headers: { "Content-Type": "application/json" },
          body: JSON.stringify(request),
        }),
      );
      if (res.status === 503) {
        const body = (await res.json().catch(() => ({}))) as { detail?: string };
        throw new TranscriberUnavailable(body.detail ?? "The transcription engine is not available.");
      }
      if (!res.ok) throw new Error(`transcoder answered ${res.status}: ${(await res.text()).slice(0, 200)}`);
      return TranscribeResult.parse(await res.json());
    },
  };
}
