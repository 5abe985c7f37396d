import { log } from "../lib/log";
import { type AnalyticsSink, analyticsEngineSink, localSink } from "../storage/analytics";

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
