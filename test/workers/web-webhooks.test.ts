import { describe, expect, it } from "vitest";
import { browser, signIn } from "./browser-fixtures";
import { api, registerUser } from "./fixtures";
import { drain, HOOKS, holdWebhookQueue, receiver, stubReceiver } from "./webhook-fixtures";

stubReceiver();
holdWebhookQueue();

describe("the studio's webhooks", () => {
  it("needs an account", async () => {
    const res = await browser("/studio/webhooks");
    expect(res.status).toBe(302);
    expect(res.headers.get("Location")).toBe("/login?next=%2Fstudio%2Fwebhooks");
  });

  it("adds an endpoint and shows its secret on that page alone", async () => {
    const user = await registerUser();
    const session = await signIn(user);
    const studio = await (await session.get("/studio")).text();
    expect(studio).toContain('href="/studio/webhooks"');
    const refused = await session.post("/studio/webhooks", {
      url: "http://hooks.example.com/in",
      events: "video.ready",
    });
    expect(refused.status).toBe(400);
    const refusedHtml = await refused.text();
    expect(refusedHtml).toContain("url must be an https:// URL");
    expect(refusedHtml).toContain('value="http://hooks.example.com/in"');

    const form = new URLSearchParams({ _csrf: session.csrf, url: `${HOOKS}/in`, description: "Billing" });
    form.append("events", "video.ready");
    form.append("events", "comment.created");
    const made = await browser("/studio/webhooks", { cookie: session.cookie, form });
    expect(made.status).toBe(200);
    const html = await made.text();
    expect(html).toMatch(/value="whsec_[A-Za-z0-9+/=]+"/);
    expect(html).toContain("it is not shown");
    const list = await (await session.get("/studio/webhooks")).text();
    expect(list).toContain(`${HOOKS}/in`);
    expect(list).not.toContain("whsec_");
    const { items } = (await (await api("/api/v1/webhooks", { as: user })).json()) as {
      items: { id: string; events: string[]; description: string }[];
    };
    expect(items).toMatchObject([{ description: "Billing", events: ["video.ready", "comment.created"] }]);
  });

  it("sends a test event, shows the delivery and its attempts, retries, disables and rotates", async () => {
    const user = await registerUser();
    const session = await signIn(user);
    const made = await api("/api/v1/webhooks", {
      method: "POST",
      as: user,
      json: { url: `${HOOKS}/studio`, events: ["video.ready", "comment.created"] },
    });
    const { id } = (await made.json()) as { id: string };
    const page = `/studio/webhooks/${id}`;
    receiver.answer = () => new Response("received, thanks");
    const sent = await session.post(`${page}/test`);
    expect(sent.status).toBe(303);
    await drain();
    expect(receiver.requests).toHaveLength(1);
    const detail = await (await session.get(page)).text();
    expect(detail).toContain("webhook.test");
    expect(detail).toContain("succeeded");
    const deliveryId = new RegExp(`href="${page}/deliveries/([^"]+)"`).exec(detail)?.[1];
    expect(deliveryId).toBeTruthy();
    const delivery = await (await session.get(`${page}/deliveries/${deliveryId}`)).text();
    expect(delivery).toContain("<strong>200</strong>");
    expect(delivery).toContain("received, thanks");
    expect(delivery).toContain(receiver.requests[0]!.headers["webhook-id"]!);

    expect((await session.post(`${page}/deliveries/${deliveryId}/retry`)).status).toBe(303);
    await drain();
    expect(receiver.requests).toHaveLength(2);
    expect(receiver.requests[1]!.headers["webhook-id"]).toBe(receiver.requests[0]!.headers["webhook-id"]);

    expect((await session.post(`${page}/enabled`, { enabled: "false" })).status).toBe(303);
    expect(await (await api(`/api/v1/webhooks/${id}`, { as: user })).json()).toMatchObject({ enabled: false });
    expect(await (await session.get(page)).text()).toContain("Enable");

    const rotated = await (await session.post(`${page}/rotate`)).text();
    expect(rotated).toMatch(/value="whsec_[^"]+"/);
    expect(rotated).toContain("keeps signing beside it for 24 hours");
    expect(await (await session.get(page)).text()).not.toContain("whsec_");

    expect((await session.post(`${page}/delete`)).headers.get("Location")).toBe("/studio/webhooks");
    expect((await api(`/api/v1/webhooks/${id}`, { as: user })).status).toBe(404);
  });

  it("shows someone else's endpoint to nobody but its owner", async () => {
    const owner = await registerUser();
    const made = await api("/api/v1/webhooks", {
      method: "POST",
      as: owner,
      json: { url: `${HOOKS}/mine`, events: ["video.ready"] },
    });
    const { id } = (await made.json()) as { id: string };
    const other = await signIn(await registerUser());
    expect((await other.get(`/studio/webhooks/${id}`)).status).toBe(403);
    expect((await other.post(`/studio/webhooks/${id}/delete`)).status).toBe(403);
  });
});
