import { createRoute } from "@hono/zod-openapi";
import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import type { AppEnv, AuthedEnv } from "../env";
import { validationFailed } from "../lib/errors";
import { router } from "../lib/openapi";
import { requireAuth } from "../middleware/auth";
import { RATE_RULES, rateLimit } from "../middleware/rate-limit";
import { bearer, problems } from "../schemas/common";
import { TusCreationHeaders, TusPatchHeaders, TusUploadParams } from "../schemas/tus";
import * as tus from "../services/tus";
import { uploadDeps } from "../wiring/deps";

/** Every request but OPTIONS names the protocol version; every answer says it too. */
const tusResumable = createMiddleware<AppEnv>(async (c, next) => {
  if (c.req.method !== "OPTIONS" && c.req.header("Tus-Resumable") !== tus.TUS_VERSION)
    throw tus.tusVersionUnsupported();
  await next();
  c.res.headers.set("Tus-Resumable", tus.TUS_VERSION);
});

const uploadHeaders = (info: tus.TusUploadInfo) => ({
  "Upload-Offset": String(info.offset),
  "Upload-Length": String(info.length),
  "Upload-Expires": info.expiresAt.toUTCString(),
  "Video-Id": info.videoId,
  "Cache-Control": "no-store",
});

/** PATCH, also reached as POST with `X-HTTP-Method-Override: PATCH` (tus-js-client's overridePatchMethod). */
async function patch(c: Context<AppEnv & AuthedEnv>, uploadId: string) {
  const headers = TusPatchHeaders.safeParse({ "upload-offset": c.req.header("Upload-Offset") });
  if (!headers.success) throw validationFailed([{ name: "Upload-Offset", reason: "must be a non-negative integer" }]);
  const length = c.req.header("Content-Length");
  const info = await tus.tusPatch(await uploadDeps(c.env, c.var.db), c.var.user.id, uploadId, {
    offset: headers.data["upload-offset"],
    contentType: c.req.header("Content-Type"),
    contentLength: length === undefined ? undefined : Number(length),
    body: c.req.raw.body,
  });
  return c.body(null, 204, uploadHeaders(info));
}

/** tus 1.0 (core, creation, termination, expiration). Mounted at /api/v1/uploads/tus. */
export const tusRoutes = router();
tusRoutes.use(tusResumable);

tusRoutes
  .openapi(
    createRoute({
      method: "options",
      path: "/",
      tags: ["upload"],
      summary: "tus discovery: version, extensions, largest upload",
      responses: { 204: { description: "Tus-Version, Tus-Extension, Tus-Max-Size" } },
    }),
    async (c) => {
      const deps = await uploadDeps(c.env, c.var.db);
      return c.body(null, 204, {
        "Tus-Version": tus.TUS_VERSION,
        "Tus-Extension": tus.TUS_EXTENSIONS.join(","),
        "Tus-Max-Size": String(deps.config.maxUploadBytes),
      });
    },
  )
  .openapi(
    createRoute({
      method: "post",
      path: "/",
      tags: ["upload"],
      summary: "tus creation: start an upload",
      description: "Answers `Location` (the upload URL) and `Video-Id`. Same checks as initiate.",
      security: bearer,
      middleware: [requireAuth, rateLimit(RATE_RULES.uploadInitiate)] as const,
      request: { headers: TusCreationHeaders },
      responses: { 201: { description: "Created" }, ...problems(400, 401, 412, 429) },
    }),
    async (c) => {
      const headers = c.req.valid("header");
      const info = await tus.createTusUpload(await uploadDeps(c.env, c.var.db), c.var.user.id, {
        length: headers["upload-length"],
        deferLength: c.req.header("Upload-Defer-Length"),
        metadata: headers["upload-metadata"],
      });
      const location = new URL(`${c.req.path.replace(/\/?$/, "/")}${info.uploadId}`, c.req.url).href;
      return c.body(null, 201, { Location: location, ...uploadHeaders(info) });
    },
  )
  .openapi(
    createRoute({
      method: "get",
      path: "/{upload_id}",
      tags: ["upload"],
      summary: "tus HEAD: the upload's offset (answered to HEAD and GET alike, without a body)",
      security: bearer,
      middleware: [requireAuth] as const,
      request: { params: TusUploadParams },
      responses: {
        200: { description: "Upload-Offset, Upload-Length, Upload-Expires" },
        ...problems(401, 403, 404, 410, 412),
      },
    }),
    async (c) => {
      const deps = await uploadDeps(c.env, c.var.db);
      const info = await tus.tusUploadInfo(deps, c.var.user.id, c.req.valid("param").upload_id);
      return c.body(null, 200, uploadHeaders(info));
    },
  )
  .openapi(
    createRoute({
      method: "patch",
      path: "/{upload_id}",
      tags: ["upload"],
      summary: "tus PATCH: append bytes at Upload-Offset",
      description: "The body (`application/offset+octet-stream`) may be any length; answers the new `Upload-Offset`.",
      security: bearer,
      middleware: [requireAuth, rateLimit(RATE_RULES.uploadPart)] as const,
      request: { params: TusUploadParams, headers: TusPatchHeaders },
      responses: { 204: { description: "Stored" }, ...problems(400, 401, 403, 404, 409, 410, 411, 412, 415, 429) },
    }),
    (c) => patch(c, c.req.valid("param").upload_id),
  )
  .openapi(
    createRoute({
      method: "post",
      path: "/{upload_id}",
      tags: ["upload"],
      summary: "tus PATCH or DELETE for clients that send `X-HTTP-Method-Override`",
      security: bearer,
      middleware: [requireAuth, rateLimit(RATE_RULES.uploadPart)] as const,
      request: { params: TusUploadParams },
      responses: { 204: { description: "Done" }, ...problems(400, 401, 403, 404, 405, 409, 410, 412, 415) },
    }),
    async (c) => {
      const uploadId = c.req.valid("param").upload_id;
      const method = c.req.header("X-HTTP-Method-Override")?.toUpperCase();
      if (method === "PATCH") return patch(c, uploadId);
      if (method === "DELETE") {
        await tus.terminateTusUpload(await uploadDeps(c.env, c.var.db), c.var.user.id, uploadId);
        return c.body(null, 204);
      }
      throw validationFailed([{ name: "X-HTTP-Method-Override", reason: "must be PATCH or DELETE" }]);
    },
  )
  .openapi(
    createRoute({
      method: "delete",
      path: "/{upload_id}",
      tags: ["upload"],
      summary: "tus termination: abort the upload; nothing of it is kept",
      security: bearer,
      middleware: [requireAuth] as const,
      request: { params: TusUploadParams },
      responses: { 204: { description: "Terminated" }, ...problems(401, 403, 404, 409, 412) },
    }),
    async (c) => {
      await tus.terminateTusUpload(await uploadDeps(c.env, c.var.db), c.var.user.id, c.req.valid("param").upload_id);
      return c.body(null, 204);
    },
  );
