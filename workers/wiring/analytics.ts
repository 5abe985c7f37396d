import { log } from "../lib/log";
import { type AnalyticsSink, analyticsEngineSink } from "../storage/analytics";
import { localQuery, localSink } from "../storage/analytics-local";
import { type AnalyticsQuery, analyticsEngineQuery } from "../storage/analytics-query";

/** Keeps nothing: no store is set up (ANALYTICS neither value, or the dataset missing). */
const noSink: AnalyticsSink = { write: async () => {} };

const locals = new WeakMap<D1Database, AnalyticsSink>();
let warned = false;

/**
 * Where player events go in this environment (`ANALYTICS`): `analytics-engine` (production)
 * is the `PLAYBACK_EVENTS` dataset, one data point per event; `local` (npm start, tests) the
 * same columns in the `ANALYTICS_LOCAL` D1 database, made once per binding in an isolate (it
 * creates its table on first write). Anything else, or a missing binding, keeps no events:
 * the route still validates, limits and answers 204, and a line says why nothing is kept.
 */
export function analyticsSinkFromEnv(env: Env): AnalyticsSink {
  if (env.ANALYTICS === "analytics-engine" && typeof env.PLAYBACK_EVENTS?.writeDataPoint === "function") {
    return analyticsEngineSink(env.PLAYBACK_EVENTS);
  }
  if (env.ANALYTICS === "local" && env.ANALYTICS_LOCAL) {
    let sink = locals.get(env.ANALYTICS_LOCAL);
    if (!sink) {
      sink = localSink(env.ANALYTICS_LOCAL);
      locals.set(env.ANALYTICS_LOCAL, sink);
    }
    return sink;
  }
  if (!warned) {
    warned = true;
    log("warn", "player events are not kept: set ANALYTICS and its binding", { analytics: env.ANALYTICS ?? "" });
  }
  return noSink;
}

let unreadWarned = false;

/**
 * Who reads the studio's figures in this environment, beside the sink that writes them:
 * `local` reads the `ANALYTICS_LOCAL` database; `analytics-engine` Analytics Engine's SQL API
 * with the account (`CF_ACCOUNT_ID`), a token allowed to read its analytics
 * (`ANALYTICS_API_TOKEN`, a secret) and the dataset's name (`ANALYTICS_DATASET`, the
 * binding's `dataset`: a Worker cannot read it from the binding). Without them, none: the
 * studio's analytics answer 503 `analytics_unavailable`, and a line says what is missing.
 */
export function analyticsQueryFromEnv(env: Env): AnalyticsQuery | undefined {
  if (env.ANALYTICS === "local" && env.ANALYTICS_LOCAL) return localQuery(env.ANALYTICS_LOCAL);
  if (env.ANALYTICS === "analytics-engine") {
    const missing = (["CF_ACCOUNT_ID", "ANALYTICS_API_TOKEN", "ANALYTICS_DATASET"] as const).filter((k) => !env[k]);
    // A dataset name is an SQL identifier: anything else would never be asked for.
    const named = /^[A-Za-z_][A-Za-z0-9_]*$/.test(env.ANALYTICS_DATASET ?? "");
    if (!missing.length && named) {
      return analyticsEngineQuery({
        accountId: env.CF_ACCOUNT_ID,
        token: env.ANALYTICS_API_TOKEN ?? "",
        dataset: env.ANALYTICS_DATASET,
      });
    }
    if (!unreadWarned) {
      unreadWarned = true;
      log("warn", "studio analytics are off: set what Analytics Engine's SQL API needs", {
        missing: named || !env.ANALYTICS_DATASET ? missing : [...missing, "a valid ANALYTICS_DATASET"],
      });
    }
  }
  return undefined;
}
