import { Container, type StopParams } from "@cloudflare/containers";
import { log } from "../lib/log";
import type { VideoJobMessage } from "../schemas/uploads";

const VIDEO_ID = "video_id";

/**
 * The transcoder (transcoder/) as a Cloudflare Container in production, one instance per
 * video. Locally the same service runs as a Node process (or the built image) reached
 * through TRANSCODER_URL.
 *
 * When the instance stops or fails (the platform killed it mid-job, it ran out of memory)
 * the video's watchdog runs at once instead of at its next check: it asks the transcoder,
 * which now answers from a fresh instance that it has no such job, and the job is
 * dispatched again. After a job's end the same check finds the video finished and does
 * nothing.
 */
export class Transcoder extends Container {
  override defaultPort = 8080;
  override sleepAfter = "10m";

  override async fetch(request: Request): Promise<Response> {
    // Remember whose instance this is (its name is the video id) for the hooks below.
    if (request.method === "POST" && new URL(request.url).pathname === "/jobs") {
      const job = (await request
        .clone()
        .json()
        .catch(() => undefined)) as { video_id?: unknown } | undefined;
      if (typeof job?.video_id === "string") await this.ctx.storage.put(VIDEO_ID, job.video_id);
    }
    return super.fetch(request);
  }

  override async onStop(params: StopParams): Promise<void> {
    await this.checkJobNow(`stopped (${params.reason}, exit ${params.exitCode})`);
  }

  override async onError(error: unknown): Promise<unknown> {
    await this.checkJobNow(`failed: ${String(error)}`);
    throw error;
  }

  private async checkJobNow(why: string) {
    const videoId = await this.ctx.storage.get<string>(VIDEO_ID);
    if (!videoId) return;
    log("warn", `transcoder container ${why}`, { video_id: videoId });
    const message: VideoJobMessage = { kind: "watchdog", video_id: videoId };
    await this.env.VIDEO_UPLOAD_QUEUE.send(message);
  }
}
