import { z } from "@hono/zod-openapi";
import { InitiateBody, UploadParams } from "./uploads";

/** tus 1.0 headers arrive lowercased from Hono's header validator. */
const integerHeader = (name: string) =>
  z
    .string()
    .regex(/^\d{1,16}$/, `${name} must be a non-negative integer`)
    .transform(Number);

export const TusUploadParams = UploadParams;

export const TusCreationHeaders = z.object({
  "upload-length": integerHeader("Upload-Length")
    .optional()
    .openapi({
      param: { name: "upload-length", in: "header" },
      description: "The size of the whole file in bytes (Upload-Defer-Length is not supported).",
    }),
  "upload-metadata": z
    .string()
    .max(8192)
    .optional()
    .openapi({
      param: { name: "upload-metadata", in: "header" },
      description:
        "Comma-separated `key base64(value)` pairs: `filename`, `title`, `content_type` (also `description`, `visibility`).",
    }),
});

export const TusPatchHeaders = z.object({
  "upload-offset": integerHeader("Upload-Offset").openapi({
    param: { name: "upload-offset", in: "header" },
    description: "Where in the file the body's bytes begin; must equal the upload's current offset.",
  }),
});

/**
 * The decoded `Upload-Metadata` pairs the platform uses. Uppy's and tus-js-client's usual
 * names (`name`, `filetype`, `type`) are mapped onto these before parsing.
 */
export const TusMetadata = z.object({
  filename: InitiateBody.shape.filename,
  title: InitiateBody.shape.title.optional(),
  content_type: InitiateBody.shape.content_type.optional(),
  description: InitiateBody.shape.description,
  visibility: InitiateBody.shape.visibility,
});
export type TusMetadata = z.infer<typeof TusMetadata>;
