import { z } from "@hono/zod-openapi";
import { Id, limitParam } from "./common";
import { VideoSummary } from "./videos";

const query = (name: string) => ({ param: { name, in: "query" as const } });

/** API.md: short < 4 min, medium 4-20 min, long > 20 min. */
export const DURATIONS = {
  short: { max: 4 * 60_000 },
  medium: { min: 4 * 60_000, max: 20 * 60_000 },
  long: { min: 20 * 60_000 },
} as const;

export const SearchQuery = z.object({
  q: z
    .string()
    .trim()
    .min(1, "must not be empty")
    .max(1000)
    .openapi({ ...query("q"), description: "What the person typed; any text (operators are plain words)" }),
  category: z.string().trim().min(1).max(50).optional().openapi(query("category")),
  duration: z
    .enum(Object.keys(DURATIONS) as [keyof typeof DURATIONS, ...(keyof typeof DURATIONS)[]])
    .optional()
    .openapi({ ...query("duration"), description: "short < 4 min, medium 4-20 min, long > 20 min" }),
  uploaded_after: z
    .union([z.iso.date(), z.iso.datetime({ offset: true })], { error: "must be an ISO-8601 date or date-time" })
    .optional()
    .openapi({ ...query("uploaded_after"), example: "2026-01-31" }),
  min_views: z.coerce.number().int().min(0).max(1e15).optional().openapi(query("min_views")),
  channel_id: Id.optional().openapi(query("channel_id")),
  sort: z.enum(["relevance", "date", "views"]).default("relevance").openapi(query("sort")),
  page: z.coerce.number().int().min(1).max(100).default(1).openapi(query("page")),
  limit: limitParam(),
});
export type SearchQuery = z.infer<typeof SearchQuery>;

export const SearchItem = VideoSummary.extend({
  highlight: z
    .object({ title: z.string(), description: z.string() })
    .openapi({ description: "HTML-escaped text with <mark> around the matched words" }),
  moments: z
    .array(
      z.object({
        start: z.number().openapi({ description: "Seconds: /watch/{id}?t=start plays from there" }),
        text: z.string().openapi({ description: "The cue, HTML-escaped, with <mark> around the matched words" }),
      }),
    )
    .optional()
    .openapi({ description: "Where the words are said, when the video's captions match" }),
}).openapi("SearchItem");

export const SearchResults = z
  .object({
    items: z.array(SearchItem),
    page: z.number().int(),
    limit: z.number().int(),
    total: z.number().int().openapi({ description: "Matches found, counted up to the 200 best" }),
    corrected_query: z.string().optional().openapi({ description: "Present when typos were corrected" }),
  })
  .openapi("SearchResults");

export const SuggestQuery = z.object({
  q: z.string().max(200).default("").openapi(query("q")),
});

export const Suggestions = z.object({ items: z.array(z.string()).max(10) }).openapi("Suggestions");
