import { drizzle } from "drizzle-orm/d1";
import type { Database } from "../env";

/** The drizzle handle over a D1 binding. */
export function database(binding: D1Database): Database {
  return drizzle(binding);
}
