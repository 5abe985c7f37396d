import { OpenAPIHono } from "@hono/zod-openapi";
import type { AppEnv } from "../env";
import { invalid } from "./errors";

/**
 * A sub-app whose zod failures become 400 `validation_failed` problems naming each bad
 * parameter (docs/api.md: `invalid_params: [{ name, reason }]`).
 */
export function router() {
  return new OpenAPIHono<AppEnv>({
    defaultHook: (result) => {
      if (!result.success) {
        throw invalid(result.error, { target: result.target });
      }
    },
  });
}
