import { createRoute } from "@hono/zod-openapi";
import { router } from "../lib/openapi";
import { RATE_RULES, rateLimit } from "../middleware/rate-limit";
import { LoginBody, RegisterBody, Session } from "../schemas/accounts";
import { json, jsonBody, problems } from "../schemas/common";
import * as accounts from "../services/accounts";
import { tokenConfig } from "../wiring/deps";

export const authRoutes = router()
  .openapi(
    createRoute({
      method: "post",
      path: "/register",
      tags: ["accounts"],
      summary: "Create an account and its channel",
      middleware: [rateLimit(RATE_RULES.register)] as const,
      request: { body: jsonBody(RegisterBody) },
      responses: { 201: json(Session, "The new account and a token"), ...problems(400, 409, 429) },
    }),
    async (c) => c.json(await accounts.register(c.var.db, tokenConfig(c.env), c.req.valid("json")), 201),
  )
  .openapi(
    createRoute({
      method: "post",
      path: "/login",
      tags: ["accounts"],
      summary: "Exchange email and password for a token",
      middleware: [rateLimit(RATE_RULES.login)] as const,
      request: { body: jsonBody(LoginBody) },
      responses: { 200: json(Session, "The account and a token"), ...problems(400, 401, 429) },
    }),
    async (c) => c.json(await accounts.login(c.var.db, tokenConfig(c.env), c.req.valid("json")), 200),
  );
