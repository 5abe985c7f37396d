import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { api, expectProblem, registerUser } from "./fixtures";
import { createEndpoint, drain, HOOKS, holdWebhookQueue, stubReceiver } from "./webhook-fixtures";

stubReceiver();
holdWebhookQueue();

describe("webhooks: bad input", () => {
  it.each([
    ["no url", { events: ["video.ready"] }, "url"],
    ["no events", { url: `${HOOKS}/x` }, "events"],
    ["no event in the list", { url: `${HOOKS}/x`, events: [] }, "events"],
    ["an unknown event", { url: `${HOOKS}/x`, events: ["video.exploded"] }, "events.0"],
    ["events as a string", { url: `${HOOKS}/x`, events: "video.ready" }, "events"],
    ["a URL over 2,000 characters", { url: `${HOOKS}/${"x".repeat(2000)}`, events: ["video.ready"] }, "url"],
    [
      "a description over 500 characters",
      { url: `${HOOKS}/x`, events: ["video.ready"], description: "x".repeat(501) },
      "description",
    ],
    ["a plain http URL", { url: "http://hooks.example.com/x", events: ["video.ready"] }, "url"],
  ])("refuses an endpoint with %s", async (_what, body, field) => {
    const user = await registerUser();
    const problem = await expectProblem(
      await api("/api/v1/webhooks", { method: "POST", as: user, json: body }),
      400,
      "validation_failed",
    );
    expect(problem.invalid_params.map((p: { name: string }) => p.name)).toContain(field);
  });

  it("refuses bad edits", async () => {
    const user = await registerUser();
    const endpoint = await createEndpoint(user);
    for (const body of [{ enabled: "yes" }, { events: [] }, { url: "https://10.0.0.1/x" }, { url: 42 }]) {
      await expectProblem(
        await api(`/api/v1/webhooks/${endpoint.id}`, { method: "PATCH", as: user, json: body }),
        400,
        "validation_failed",
      );
    }
  });

  it("needs an account for every webhook route", async () => {
    await expectProblem(await api("/api/v1/webhooks"), 401, "unauthorized");
    await expectProblem(
      await api("/api/v1/webhooks", { method: "POST", json: { url: `${HOOKS}/x`, events: ["video.ready"] } }),
      401,
      "unauthorized",
    );
    await expectProblem(await api("/api/v1/webhooks/abc/deliveries"), 401, "unauthorized");
  });

  it("answers 404 for endpoints and deliveries that do not exist, or belong to another endpoint", async () => {
    const user = await registerUser();
    const one = await createEndpoint(user);
    const two = await createEndpoint(user, { url: `${HOOKS}/two` });
    await api(`/api/v1/webhooks/${two.id}/test`, { method: "POST", as: user });
    await drain();
    const delivery = await env.DB.prepare("SELECT id FROM webhook_deliveries WHERE endpoint_id = ?")
      .bind(two.id)
      .first<{ id: string }>();
    await expectProblem(await api("/api/v1/webhooks/nosuchhook", { as: user }), 404, "not_found");
    await expectProblem(
      await api(`/api/v1/webhooks/${one.id}/deliveries/nosuchdelivery`, { as: user }),
      404,
      "not_found",
    );
    expect(delivery).not.toBeNull();
    await expectProblem(
      await api(`/api/v1/webhooks/${one.id}/deliveries/${delivery?.id}/retry`, { method: "POST", as: user }),
      404,
      "not_found",
    );
    await expectProblem(await api("/api/v1/webhooks/not*an*id", { as: user }), 400, "validation_failed");
  });

  it("refuses an endpoint past the account's limit (400 too_many_webhooks)", async () => {
    const vars = env as { WEBHOOK_MAX_ENDPOINTS?: string };
    const before = vars.WEBHOOK_MAX_ENDPOINTS;
    vars.WEBHOOK_MAX_ENDPOINTS = "2";
    try {
      const user = await registerUser();
      await createEndpoint(user);
      await createEndpoint(user, { url: `${HOOKS}/second` });
      const problem = await expectProblem(
        await api("/api/v1/webhooks", {
          method: "POST",
          as: user,
          json: { url: `${HOOKS}/third`, events: ["video.ready"] },
        }),
        400,
        "too_many_webhooks",
      );
      expect(problem.max).toBe(2);
    } finally {
      vars.WEBHOOK_MAX_ENDPOINTS = before;
    }
  });
});
