import { z } from "@hono/zod-openapi";
import { ID_PATTERN } from "../../contracts/ids";
import { PROBLEM_CODES } from "../lib/errors";

export const Id = z
  .string()
  .regex(ID_PATTERN, "must be an id of 1-32 URL-safe characters")
  .openapi({ example: "V1StGXR8Z5jdHi6B" });

export const Timestamp = z.string().openapi({ format: "date-time", example: "2026-11-25T10:00:00.000Z" });

export const Problem = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string().optional(),
    code: z.enum(PROBLEM_CODES).openapi({ example: "validation_failed" }),
    instance: z.string().optional(),
    invalid_params: z.array(z.object({ name: z.string(), reason: z.string() })).optional(),
  })
  .openapi("Problem");

/** The problem+json answers a route may give, for the OpenAPI document. */
export function problems(...statuses: number[]) {
  const out: Record<
    number,
    { description: string; content: { "application/problem+json": { schema: typeof Problem } } }
  > = {};
  for (const status of statuses) {
    out[status] = { description: `Problem (${status})`, content: { "application/problem+json": { schema: Problem } } };
  }
  return out;
}

export const json = <T extends z.ZodType>(schema: T, description: string) => ({
  description,
  content: { "application/json": { schema } },
});

export const jsonBody = <T extends z.ZodType>(schema: T) => ({
  required: true,
  content: { "application/json": { schema } },
});

export const bearer = [{ bearerAuth: [] }];

/**
 * `?limit=`: how many items a list answers. API.md: 20 by default and capped at 100 on every
 * list (some lists cap lower); a larger one is clamped, not refused. Below 1 or not a number
 * is a 400.
 */
export const limitParam = (byDefault = 20, max = 100) =>
  z.coerce
    .number()
    .int()
    .min(1)
    .default(byDefault)
    .transform((n) => Math.min(n, max))
    .openapi({ param: { name: "limit", in: "query" }, description: `At most ${max}; a larger one is clamped` });

export const PageQuery = z.object({
  page: z.coerce
    .number()
    .int()
    .min(1)
    .max(10_000)
    .default(1)
    .openapi({ param: { name: "page", in: "query" } }),
  limit: limitParam(),
});

/** The list shape of docs/api.md. */
export const listOf = <T extends z.ZodType>(item: T, name: string) =>
  z
    .object({
      items: z.array(item),
      page: z.number().int(),
      limit: z.number().int(),
      total: z.number().int().optional(),
    })
    .openapi(name);
