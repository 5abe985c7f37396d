import { z } from "@hono/zod-openapi";
import { Id } from "./common";

/** API.md "Captions and transcripts". */

function canonicalTag(tag: string): string | undefined {
  try {
    const [canonical] = Intl.getCanonicalLocales(tag);
    return canonical && canonical.length <= 35 ? canonical : undefined;
  } catch {
    return undefined;
  }
}

/** A video's spoken language: a BCP 47 tag, stored in its canonical form (`pt-br` is `pt-BR`). */
export const LanguageTag = z
  .string()
  .trim()
  .max(35)
  .refine((tag) => canonicalTag(tag) !== undefined, "must be a BCP 47 language tag such as en or pt-BR")
  .overwrite((tag) => canonicalTag(tag) ?? tag)
  .openapi({ example: "en", description: "A BCP 47 language tag" });

export const CaptionParams = z.object({
  video_id: Id.openapi({ param: { name: "video_id", in: "path" } }),
  language: z
    .string()
    .min(1)
    .max(35)
    .regex(/^[A-Za-z0-9-]+$/, "must be a BCP 47 language tag such as en or pt-BR")
    .openapi({ param: { name: "language", in: "path" }, example: "pt-BR", description: "A BCP 47 language tag" }),
});

export const CaptionQuery = z.object({
  label: z
    .string()
    .trim()
    .min(1)
    .max(80)
    // biome-ignore lint/suspicious/noControlCharactersInRegex: a label is one line of text.
    .regex(/^[^\u0000-\u001f\u007f"]+$/, "must be one line of text without double quotes")
    .optional()
    .openapi({
      param: { name: "label", in: "query" },
      description: "What the player's menu shows; by default the language's own name",
    }),
});

export const GenerateBody = z
  .object({
    language: z
      .string()
      .min(1)
      .max(35)
      .optional()
      .openapi({ description: "A BCP 47 tag; by default the video's language" }),
  })
  .strict()
  .openapi("GenerateCaptions");

export const CaptionTrack = z
  .object({
    language: z.string().openapi({ example: "en" }),
    label: z.string().openapi({ example: "English" }),
    source: z.enum(["uploaded", "auto"]),
    status: z.enum(["processing", "ready", "failed"]),
    url: z
      .string()
      .nullable()
      .openapi({ description: "The WebVTT file (null until ready); private videos' carry a token" }),
  })
  .openapi("CaptionTrack");

export const CaptionList = z.object({ items: z.array(CaptionTrack) }).openapi("CaptionList");

export const TranscriptQuery = z.object({
  language: z
    .string()
    .min(1)
    .max(35)
    .regex(/^[A-Za-z0-9-]+$/, "must be a BCP 47 language tag such as en or pt-BR")
    .optional()
    .openapi({ param: { name: "language", in: "query" } }),
});

export const Transcript = z
  .object({
    language: z.string(),
    cues: z.array(
      z.object({
        start: z.number().openapi({ description: "Seconds" }),
        end: z.number().openapi({ description: "Seconds" }),
        text: z.string().openapi({ description: "Plain text" }),
      }),
    ),
  })
  .openapi("Transcript");

/** A `captions` queue message: transcribe the video's auto track in `language` (its row says `processing`). */
export const CaptionJobMessage = z.object({
  video_id: Id,
  language: z.string().min(1).max(35),
});
export type CaptionJobMessage = z.infer<typeof CaptionJobMessage>;
