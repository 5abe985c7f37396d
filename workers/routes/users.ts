import { createRoute } from "@hono/zod-openapi";
import { router } from "../lib/openapi";
import { requireAuth } from "../middleware/auth";
import { Me } from "../schemas/accounts";
import { bearer, json, problems } from "../schemas/common";
import * as accounts from "../services/accounts";

export const userRoutes = router().openapi(
  createRoute({
    method: "get",
    path: "/me",
    tags: ["accounts"],
    summary: "The signed-in user",
    security: bearer,
    middleware: [requireAuth] as const,
    responses: { 200: json(Me, "The account"), ...problems(401, 404) },
  }),
  async (c) => c.json(await accounts.me(c.var.db, c.var.user!.id), 200),
);
