import { databaseOf, videoDeps } from "../services/deps";
import { expireUploads } from "../services/uploads";

/** Cron (every 5 minutes): abort uploads past their expiry. Trending joins later. */
export async function runScheduled(env: Env): Promise<void> {
  // A batch at a time keeps one run well inside the cron's CPU budget; the rest wait 5 min.
  const aborted = await expireUploads(videoDeps(env, databaseOf(env)));
  if (aborted) console.log(JSON.stringify({ level: "info", msg: "expired uploads aborted", count: aborted }));
}
