import { getContainer } from "@cloudflare/containers";
import type { JobRequest } from "../../contracts/transcoder";

/**
 * The one boundary between the Worker and the transcoder. In production the transcoder is
 * the `Transcoder` Container (one instance per video, so a redelivered job lands on the
 * instance already doing it); locally it is the same service as a Node process at
 * TRANSCODER_URL. The request and its answers are the same either way.
 */
export interface TranscoderClient {
  startJob(job: JobRequest): Promise<void>;
}

async function post(fetcher: (req: Request) => Promise<Response>, base: string, job: JobRequest) {
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

export function transcoderFromEnv(env: Env): TranscoderClient {
  if (env.TRANSCODER_URL) {
    const base = env.TRANSCODER_URL.replace(/\/$/, "");
    return { startJob: (job) => post((req) => fetch(req), base, job) };
  }
  return {
    startJob: (job) => post((req) => getContainer(env.TRANSCODER, job.video_id).fetch(req), "http://transcoder", job),
  };
}
