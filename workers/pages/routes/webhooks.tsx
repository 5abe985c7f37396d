import { Hono } from "hono";
import type { AppEnv } from "../../env";
import { AppError } from "../../lib/errors";
import { WebhookBody } from "../../schemas/webhooks";
import * as webhooks from "../../services/webhooks";
import { webhookDeps } from "../../wiring/deps";
import { signedIn } from "../middleware";
import { DeliveryPage, WebhookPage, WebhooksPage } from "../pages/webhooks";

const DELIVERIES_SHOWN = 50;

/** Form fields as strings (a checkbox group as its list). */
const text = (value: unknown) => (typeof value === "string" ? value : "");
const list = (value: unknown) => (Array.isArray(value) ? value.map(text) : typeof value === "string" ? [value] : []);

/**
 * `/studio/webhooks`: add an endpoint (its secret shown on the answer, once), send a test
 * event, turn it off and on, rotate its secret, read its deliveries and retry one. Mounted
 * before the studio's own `/studio/{video_id}` forms.
 */
export const webhookPageRoutes = new Hono<AppEnv>()
  .get("/studio/webhooks", signedIn, async (c) => {
    const { items } = await webhooks.listWebhooks(c.var.db, c.var.user);
    return c.render(<WebhooksPage endpoints={items} />, { title: "Webhooks" });
  })
  .post("/studio/webhooks", signedIn, async (c) => {
    const form = await c.req.parseBody({ all: true });
    const input = { url: text(form.url), events: list(form.events), description: text(form.description) };
    const parsed = WebhookBody.safeParse(input);
    const again = async (errors: string[]) => {
      const { items } = await webhooks.listWebhooks(c.var.db, c.var.user);
      c.status(400);
      return c.render(<WebhooksPage endpoints={items} errors={errors} form={input} />, { title: "Webhooks" });
    };
    if (!parsed.success) return again(parsed.error.issues.map((i) => `${i.path.join(".") || "form"} ${i.message}`));
    try {
      const made = await webhooks.createWebhook(webhookDeps(c.env, c.var.db), c.var.user, parsed.data);
      const { items } = await webhooks.listWebhooks(c.var.db, c.var.user);
      // Rendered here rather than redirected to: the secret exists in this answer only.
      return c.render(<WebhooksPage endpoints={items} created={{ id: made.id, secret: made.secret }} />, {
        title: "Webhooks",
      });
    } catch (err) {
      if (!(err instanceof AppError) || err.status !== 400) throw err;
      const params = (err.extra.invalid_params as { name: string; reason: string }[] | undefined) ?? [];
      return again(params.length ? params.map((p) => `${p.name} ${p.reason}`) : [err.detail ?? err.title]);
    }
  })
  .get("/studio/webhooks/:webhook_id", signedIn, async (c) => {
    const id = c.req.param("webhook_id");
    const endpoint = await webhooks.getWebhook(c.var.db, c.var.user, id);
    const { items } = await webhooks.listDeliveries(c.var.db, c.var.user, id, { page: 1, limit: DELIVERIES_SHOWN });
    return c.render(<WebhookPage endpoint={endpoint} deliveries={items} notice={c.req.query("notice")} />, {
      title: "Webhook",
    });
  })
  .get("/studio/webhooks/:webhook_id/deliveries/:delivery_id", signedIn, async (c) => {
    const { webhook_id, delivery_id } = c.req.param();
    const endpoint = await webhooks.getWebhook(c.var.db, c.var.user, webhook_id);
    const delivery = await webhooks.getDelivery(c.var.db, c.var.user, webhook_id, delivery_id);
    return c.render(<DeliveryPage endpoint={endpoint} delivery={delivery} />, { title: "Delivery" });
  })
  .post("/studio/webhooks/:webhook_id/test", signedIn, async (c) => {
    const id = c.req.param("webhook_id");
    await webhooks.sendTestEvent(webhookDeps(c.env, c.var.db), c.var.user, id);
    return c.redirect(`/studio/webhooks/${id}?notice=${encodeURIComponent("Test event sent.")}`, 303);
  })
  .post("/studio/webhooks/:webhook_id/enabled", signedIn, async (c) => {
    const id = c.req.param("webhook_id");
    const enabled = (await c.req.parseBody()).enabled === "true";
    await webhooks.editWebhook(webhookDeps(c.env, c.var.db), c.var.user, id, { enabled });
    return c.redirect(`/studio/webhooks/${id}?notice=${enabled ? "Enabled." : "Disabled."}`, 303);
  })
  .post("/studio/webhooks/:webhook_id/rotate", signedIn, async (c) => {
    const id = c.req.param("webhook_id");
    const { secret } = await webhooks.rotateSecret(webhookDeps(c.env, c.var.db), c.var.user, id);
    const endpoint = await webhooks.getWebhook(c.var.db, c.var.user, id);
    const { items } = await webhooks.listDeliveries(c.var.db, c.var.user, id, { page: 1, limit: DELIVERIES_SHOWN });
    return c.render(<WebhookPage endpoint={endpoint} deliveries={items} secret={secret} />, { title: "Webhook" });
  })
  .post("/studio/webhooks/:webhook_id/delete", signedIn, async (c) => {
    await webhooks.deleteWebhook(c.var.db, c.var.user, c.req.param("webhook_id"));
    return c.redirect("/studio/webhooks", 303);
  })
  .post("/studio/webhooks/:webhook_id/deliveries/:delivery_id/retry", signedIn, async (c) => {
    const { webhook_id, delivery_id } = c.req.param();
    await webhooks.retryDelivery(webhookDeps(c.env, c.var.db), c.var.user, webhook_id, delivery_id);
    return c.redirect(`/studio/webhooks/${webhook_id}?notice=${encodeURIComponent("Sent again.")}`, 303);
  });
