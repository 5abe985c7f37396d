import { OpenAPIHono } from "@hono/zod-openapi";
import type { AppEnv } from "../env";
import { validationFailed } from "./errors";

/**
 * A sub-app whose zod failures become 400 `validation_failed` problems naming each bad
 * parameter (docs/api.md: `invalid_params: [{ name, reason }]`).
 */
export function router() {
  return new OpenAPIHono<AppEnv>({
    defaultHook: (result) => {
      if (!result.success) {
        throw validationFailed(
          result.error.issues.map((issue) => ({
            name: issue.path.length ? issue.path.join(".") : result.target,
            reason: issue.message,
          })),
        );
      }
    },
  });
}
