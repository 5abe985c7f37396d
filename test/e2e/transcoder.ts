// Watching the transcoder from outside, as the tests of a killed job need, and running its
// Container image the way the platform runs it.
import { spawnSync } from "node:child_process";

/** Runs the docker CLI and answers its output, or throws with what it printed. */
export function docker(...args: string[]): string {
  const run = spawnSync("docker", args, { encoding: "utf8" });
  if (run.status !== 0) throw new Error(`docker ${args.join(" ")}: ${run.stderr || run.error}`);
  return run.stdout.trim();
}

/**
 * Starts the transcoder's image listening on `port` and answers the container's id. Host
 * networking only (no bridge network on these machines); the root filesystem is read-only
 * and the scratch folder a volume, as the image expects.
 */
export function runTranscoderImage(image: string, port: number, name?: string): string {
  return docker(
    "run",
    "--detach",
    ...(name ? ["--name", name] : []),
    "--network",
    "host",
    "--read-only",
    "--mount",
    "type=volume,dst=/scratch",
    "--env",
    `PORT=${port}`,
    "--env",
    "HOST=127.0.0.1",
    image,
  );
}

/**
 * Seconds from `since` until the transcoder at `url` is working on the video's job again
 * (GET /jobs/:video_id answers a running job): how long the Worker took to notice the death
 * and dispatch the job again.
 */
export async function secondsUntilRunning(url: string, videoId: string, since: number, timeoutMs = 90_000) {
  for (const deadline = since + timeoutMs; Date.now() < deadline; ) {
    const running = await fetch(`${url}/jobs/${videoId}`)
      .then(async (res) => res.ok && ((await res.json()) as { done: boolean }).done === false)
      .catch(() => false);
    if (running) return (Date.now() - since) / 1000;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`the job of ${videoId} was not running again within ${timeoutMs / 1000} s`);
}
