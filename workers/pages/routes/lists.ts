import type { Context } from "hono";
import type { AppEnv } from "../../env";
import { errorField, log } from "../../lib/log";

/** How many cards a row of videos shows (the home page's rows, up next). */
export const ROW = 12;

/**
 * A list that is a page's side dish (recommendations, up next) must not take the page down
 * with it: its failure is logged and the row says it could not be loaded.
 */
export async function orNull<T>(c: Context<AppEnv>, what: string, list: Promise<T>): Promise<T | null> {
  try {
    return await list;
  } catch (err) {
    log("error", `${what} failed`, { request_id: c.var.requestId, error: errorField(err) });
    return null;
  }
}
