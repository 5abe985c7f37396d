import { z } from "@hono/zod-openapi";
import { limitParam } from "./common";
import { VideoSummary } from "./videos";

export const TrendingQuery = z.object({
  region: z
    .string()
    .regex(/^[A-Za-z]{2}$/, "must be a two-letter country code (ISO 3166-1 alpha-2)")
    .transform((r) => r.toUpperCase())
    .optional()
    .openapi({ param: { name: "region", in: "query" }, example: "US", description: "Default: the caller's country" }),
  category: z
    .string()
    .trim()
    .min(1)
    .max(50)
    .default("all")
    .openapi({ param: { name: "category", in: "query" }, description: "`all` (default) for every category" }),
  limit: limitParam(),
});

export const TrendingItem = VideoSummary.extend({
  trending_score: z.number().openapi({ description: "Decayed engagement, normalised by channel size, as of now" }),
}).openapi("TrendingVideo");

export const TrendingList = z
  .object({
    items: z.array(TrendingItem),
    page: z.number().int(),
    limit: z.number().int(),
    region: z.string().openapi({ description: "The list served: the region asked for, or `global`" }),
    category: z.string(),
  })
  .openapi("TrendingList");
