import { createRoute } from "@hono/zod-openapi";
import { router } from "../lib/openapi";
import { requireAuth } from "../middleware/auth";
import { bearer, json, jsonBody, problems } from "../schemas/common";
import {
  DeliveriesQuery,
  DeliveryDetail,
  DeliveryList,
  DeliveryParams,
  RetryAccepted,
  RotatedSecret,
  TestAccepted,
  WebhookBody,
  WebhookCreated,
  WebhookEditBody,
  WebhookList,
  WebhookOut,
  WebhookParams,
} from "../schemas/webhooks";
import * as webhooks from "../services/webhooks";
import { webhookDeps } from "../wiring/deps";

/** Webhook endpoints, their secrets and their deliveries log (API.md "Webhooks"). Mounted at /api/v1. */
export const webhookRoutes = router()
  .openapi(
    createRoute({
      tags: ["webhooks"],
      security: bearer,
      middleware: [requireAuth] as const,
      method: "post",
      path: "/webhooks",
      summary: "Add an endpoint; its secret is in this answer and never again",
      request: { body: jsonBody(WebhookBody) },
      responses: { 201: json(WebhookCreated, "The endpoint and its secret"), ...problems(400, 401) },
    }),
    async (c) =>
      c.json(await webhooks.createWebhook(webhookDeps(c.env, c.var.db), c.var.user, c.req.valid("json")), 201),
  )
  .openapi(
    createRoute({
      tags: ["webhooks"],
      security: bearer,
      middleware: [requireAuth] as const,
      method: "get",
      path: "/webhooks",
      summary: "The caller's endpoints (never their secrets)",
      responses: { 200: json(WebhookList, "Endpoints, newest first"), ...problems(401) },
    }),
    async (c) => c.json(await webhooks.listWebhooks(c.var.db, c.var.user), 200),
  )
  .openapi(
    createRoute({
      tags: ["webhooks"],
      security: bearer,
      middleware: [requireAuth] as const,
      method: "get",
      path: "/webhooks/{webhook_id}",
      summary: "An endpoint (owner)",
      request: { params: WebhookParams },
      responses: { 200: json(WebhookOut, "The endpoint"), ...problems(400, 401, 403, 404) },
    }),
    async (c) => c.json(await webhooks.getWebhook(c.var.db, c.var.user, c.req.valid("param").webhook_id), 200),
  )
  .openapi(
    createRoute({
      tags: ["webhooks"],
      security: bearer,
      middleware: [requireAuth] as const,
      method: "patch",
      path: "/webhooks/{webhook_id}",
      summary: "Change an endpoint's URL, events or description, or turn it off and on (owner)",
      request: { params: WebhookParams, body: jsonBody(WebhookEditBody) },
      responses: { 200: json(WebhookOut, "The endpoint"), ...problems(400, 401, 403, 404) },
    }),
    async (c) =>
      c.json(
        await webhooks.editWebhook(
          webhookDeps(c.env, c.var.db),
          c.var.user,
          c.req.valid("param").webhook_id,
          c.req.valid("json"),
        ),
        200,
      ),
  )
  .openapi(
    createRoute({
      tags: ["webhooks"],
      security: bearer,
      middleware: [requireAuth] as const,
      method: "delete",
      path: "/webhooks/{webhook_id}",
      summary: "Delete an endpoint and its deliveries log (owner)",
      request: { params: WebhookParams },
      responses: { 204: { description: "Deleted" }, ...problems(400, 401, 403, 404) },
    }),
    async (c) => {
      await webhooks.deleteWebhook(c.var.db, c.var.user, c.req.valid("param").webhook_id);
      return c.body(null, 204);
    },
  )
  .openapi(
    createRoute({
      tags: ["webhooks"],
      security: bearer,
      middleware: [requireAuth] as const,
      method: "post",
      path: "/webhooks/{webhook_id}/rotate-secret",
      summary: "A new secret; the previous one keeps signing beside it for 24 hours (owner)",
      request: { params: WebhookParams },
      responses: { 200: json(RotatedSecret, "The new secret, shown once"), ...problems(400, 401, 403, 404) },
    }),
    async (c) =>
      c.json(
        await webhooks.rotateSecret(webhookDeps(c.env, c.var.db), c.var.user, c.req.valid("param").webhook_id),
        200,
      ),
  )
  .openapi(
    createRoute({
      tags: ["webhooks"],
      security: bearer,
      middleware: [requireAuth] as const,
      method: "post",
      path: "/webhooks/{webhook_id}/test",
      summary: "Send a `webhook.test` event to this endpoint alone (owner)",
      request: { params: WebhookParams },
      responses: { 202: json(TestAccepted, "Queued"), ...problems(400, 401, 403, 404, 409) },
    }),
    async (c) =>
      c.json(
        await webhooks.sendTestEvent(webhookDeps(c.env, c.var.db), c.var.user, c.req.valid("param").webhook_id),
        202,
      ),
  )
  .openapi(
    createRoute({
      tags: ["webhooks"],
      security: bearer,
      middleware: [requireAuth] as const,
      method: "get",
      path: "/webhooks/{webhook_id}/deliveries",
      summary: "The endpoint's deliveries, newest first (owner)",
      request: { params: WebhookParams, query: DeliveriesQuery },
      responses: { 200: json(DeliveryList, "Deliveries"), ...problems(400, 401, 403, 404) },
    }),
    async (c) =>
      c.json(
        await webhooks.listDeliveries(c.var.db, c.var.user, c.req.valid("param").webhook_id, c.req.valid("query")),
        200,
      ),
  )
  .openapi(
    createRoute({
      tags: ["webhooks"],
      security: bearer,
      middleware: [requireAuth] as const,
      method: "get",
      path: "/webhooks/{webhook_id}/deliveries/{delivery_id}",
      summary: "A delivery: the body it sends and what each attempt got back (owner)",
      request: { params: DeliveryParams },
      responses: { 200: json(DeliveryDetail, "The delivery"), ...problems(400, 401, 403, 404) },
    }),
    async (c) => {
      const { webhook_id, delivery_id } = c.req.valid("param");
      return c.json(await webhooks.getDelivery(c.var.db, c.var.user, webhook_id, delivery_id), 200);
    },
  )
  .openapi(
    createRoute({
      tags: ["webhooks"],
      security: bearer,
      middleware: [requireAuth] as const,
      method: "post",
      path: "/webhooks/{webhook_id}/deliveries/{delivery_id}/retry",
      summary: "Send a delivery again now, with the same webhook-id (owner)",
      request: { params: DeliveryParams },
      responses: { 202: json(RetryAccepted, "Queued"), ...problems(400, 401, 403, 404, 409) },
    }),
    async (c) => {
      const { webhook_id, delivery_id } = c.req.valid("param");
      return c.json(
        await webhooks.retryDelivery(webhookDeps(c.env, c.var.db), c.var.user, webhook_id, delivery_id),
        202,
      );
    },
  );
