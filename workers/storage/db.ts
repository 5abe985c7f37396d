import { drizzle } from "drizzle-orm/d1";
import type { Database } from "../env";

/** The drizzle handle over a D1 binding, or over a session of one (D1's Sessions API). */
export function database(binding: D1Database | D1DatabaseSession): Database {
  // drizzle's D1 driver sends only prepare() and batch(), which a session has too.
  return drizzle(binding as D1Database);
}
