// Watching the transcoder from outside, as the tests of a killed job need.

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
