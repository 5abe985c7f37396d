import { createRoute, z } from "@hono/zod-openapi";
import { router } from "../lib/openapi";
import { requireAuth } from "../middleware/auth";
import { RATE_RULES, rateLimit } from "../middleware/rate-limit";
import { bearer, json, jsonBody, problems } from "../schemas/common";
import {
  CompleteResult,
  InitiateBody,
  InitiateResult,
  PartOut,
  PartQuery,
  UploadParams,
  UploadState,
} from "../schemas/uploads";
import * as uploads from "../services/uploads";
import { uploadDeps } from "../wiring/deps";

/** Spec: Video Upload Flow. Mounted at /api/v1/videos/upload. */
export const uploadRoutes = router()
  .openapi(
    createRoute({
      method: "post",
      path: "/initiate",
      tags: ["upload"],
      summary: "Start a multipart upload",
      security: bearer,
      middleware: [requireAuth, rateLimit(RATE_RULES.uploadInitiate)] as const,
      request: { body: jsonBody(InitiateBody) },
      responses: { 201: json(InitiateResult, "Where and how to send the parts"), ...problems(400, 401, 429) },
    }),
    async (c) => {
      const deps = await uploadDeps(c.env, c.var.db);
      return c.json(await uploads.initiateUpload(deps, c.var.user.id, c.req.valid("json")), 201);
    },
  )
  .openapi(
    createRoute({
      method: "put",
      path: "/{upload_id}/chunk",
      tags: ["upload"],
      summary: "Send part N (1-based) of the file",
      description: "The body is the raw bytes of the part: exactly `part_size` bytes, but the last part.",
      security: bearer,
      middleware: [requireAuth, rateLimit(RATE_RULES.uploadPart)] as const,
      request: {
        params: UploadParams,
        query: PartQuery,
        body: {
          required: true,
          content: { "application/octet-stream": { schema: z.string().openapi({ format: "binary" }) } },
        },
      },
      responses: { 200: json(PartOut, "The stored part"), ...problems(400, 401, 403, 404, 409, 429) },
    }),
    async (c) => {
      const deps = await uploadDeps(c.env, c.var.db);
      const length = c.req.header("Content-Length");
      const part = await uploads.putPart(
        deps,
        c.var.user.id,
        c.req.valid("param").upload_id,
        c.req.valid("query").part,
        c.req.raw.body,
        length === undefined ? undefined : Number(length),
      );
      return c.json(part, 200);
    },
  )
  .openapi(
    createRoute({
      method: "get",
      path: "/{upload_id}",
      tags: ["upload"],
      summary: "The parts received so far (how a client resumes)",
      security: bearer,
      middleware: [requireAuth] as const,
      request: { params: UploadParams },
      responses: { 200: json(UploadState, "The upload"), ...problems(401, 403, 404) },
    }),
    async (c) => {
      const deps = await uploadDeps(c.env, c.var.db);
      return c.json(await uploads.uploadState(deps, c.var.user.id, c.req.valid("param").upload_id), 200);
    },
  )
  .openapi(
    createRoute({
      method: "post",
      path: "/{upload_id}/complete",
      tags: ["upload"],
      summary: "Assemble the parts and queue the video for processing",
      security: bearer,
      middleware: [requireAuth] as const,
      request: { params: UploadParams },
      responses: { 202: json(CompleteResult, "Queued for processing"), ...problems(401, 403, 404, 409) },
    }),
    async (c) => {
      const deps = await uploadDeps(c.env, c.var.db);
      return c.json(await uploads.completeUpload(deps, c.var.user.id, c.req.valid("param").upload_id), 202);
    },
  )
  .openapi(
    createRoute({
      method: "delete",
      path: "/{upload_id}",
      tags: ["upload"],
      summary: "Abort the upload; nothing of it is kept",
      security: bearer,
      middleware: [requireAuth] as const,
      request: { params: UploadParams },
      responses: { 204: { description: "Aborted" }, ...problems(401, 403, 404, 409) },
    }),
    async (c) => {
      const deps = await uploadDeps(c.env, c.var.db);
      await uploads.cancelUpload(deps, c.var.user.id, c.req.valid("param").upload_id);
      return c.body(null, 204);
    },
  );
