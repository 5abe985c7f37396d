import { expireUploads } from "../services/uploads";
import { database } from "../storage/db";

/** Cron (every 5 minutes): abort uploads past their expiry. Trending joins later. */
export async function runScheduled(env: Env): Promise<void> {
  const db = database(env.DB);
  // A batch at a time keeps one run well inside the cron's CPU budget; the rest wait 5 min.
  const aborted = await expireUploads({ db, media: env.MEDIA });
  if (aborted) console.log(JSON.stringify({ level: "info", msg: "expired uploads aborted", count: aborted }));
}
