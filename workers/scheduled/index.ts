import { databaseOf, videoDeps } from "../services/deps";
import { refreshVocabulary } from "../services/search";
import { expireUploads } from "../services/uploads";

/** Cron (every 5 minutes): abort uploads past their expiry, bring the search vocabulary up to date. */
export async function runScheduled(env: Env): Promise<void> {
  const db = databaseOf(env);
  // A batch at a time keeps one run well inside the cron's CPU budget; the rest wait 5 min.
  const aborted = await expireUploads(videoDeps(env, db));
  if (aborted) console.log(JSON.stringify({ level: "info", msg: "expired uploads aborted", count: aborted }));
  const words = await refreshVocabulary(db);
  if (words) console.log(JSON.stringify({ level: "info", msg: "search vocabulary grew", count: words }));
}
