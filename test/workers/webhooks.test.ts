import { env } from "cloudflare:workers";
import { Webhook } from "standardwebhooks";
import { afterEach, describe, expect, it, vi } from "vitest";
import { checkWebhookUrl } from "../../workers/lib/webhook-url";
import {
  attemptDelivery,
  type DeliveryDeps,
  MAX_ATTEMPTS,
  RETRY_SCHEDULE,
} from "../../workers/services/webhook-delivery";
import { database } from "../../workers/storage/db";
import { databaseOf, deliveryDeps } from "../../workers/wiring/deps";
import {
  api,
  captureLogs,
  catalogueVideo,
  expectProblem,
  processingVideo,
  readyVideo,
  registerUser,
  row,
  type TestUser,
} from "./fixtures";
import { stubTranscoder } from "./transcoder-stub";
import {
  createEndpoint,
  deliver,
  dns,
  drain,
  type Endpoint,
  HOOKS,
  held,
  holdWebhookQueue,
  receiver,
  signed,
  stubReceiver,
  take,
} from "./webhook-fixtures";

stubTranscoder();
stubReceiver();
holdWebhookQueue();
afterEach(() => {
  vi.useRealTimers();
});

/** A `webhook.test` event for the endpoint, fanned out and attempted once. */
async function testEvent(user: TestUser, endpoint: Endpoint) {
  const res = await api(`/api/v1/webhooks/${endpoint.id}/test`, { method: "POST", as: user });
  expect(res.status).toBe(202);
  const { event_id } = (await res.json()) as { event_id: string };
  await drain();
  return event_id;
}

/** The `video-ready` message processing sends when a video becomes ready. */
const readyMessage = (user: TestUser, videoId: string) => ({
  video_id: videoId,
  owner_id: user.id,
  status: "ready",
  title: "Ready",
  urls: { hls: `/videos/${videoId}/master.m3u8` },
});

const deliveriesOf = async (user: TestUser, endpoint: Endpoint) =>
  (
    (await (await api(`/api/v1/webhooks/${endpoint.id}/deliveries`, { as: user })).json()) as {
      items: {
        id: string;
        event_id: string;
        type: string;
        status: string;
        attempts: number;
        response_status: number | null;
        next_attempt_at: string | null;
      }[];
    }
  ).items;

describe("webhook endpoints", () => {
  it("shows the secret once, keeps it sealed, and never logs it", async () => {
    const logs = captureLogs();
    const user = await registerUser();
    const endpoint = await createEndpoint(user, { events: ["video.ready", "comment.created"], description: "CI" });
    expect(endpoint).toMatchObject({
      url: `${HOOKS}/${user.username}`,
      events: ["video.ready", "comment.created"],
      enabled: true,
    });
    expect(endpoint.secret).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);
    expect(atob(endpoint.secret.slice(6)).length).toBeGreaterThanOrEqual(24);
    const one = await (await api(`/api/v1/webhooks/${endpoint.id}`, { as: user })).json();
    const list = await (await api("/api/v1/webhooks", { as: user })).json();
    expect(JSON.stringify([one, list])).not.toContain("whsec_");
    expect(one).toMatchObject({ id: endpoint.id, description: "CI", disabled_reason: null });
    const stored = await row("SELECT * FROM webhook_endpoints WHERE id = ?", endpoint.id);
    expect(JSON.stringify(stored)).not.toContain(endpoint.secret.slice(6, 30));
    expect(String(stored?.secret_sealed)).toMatch(/^v1\./);
    // A delivery signs with it, and still nothing logs it.
    await testEvent(user, endpoint);
    expect(receiver.requests).toHaveLength(1);
    expect(JSON.stringify(logs.lines())).not.toContain(endpoint.secret.slice(6, 30));
  });

  it("refuses URLs that are not https:// to a public host, and allows loopback only under the local setting", async () => {
    const user = await registerUser();
    const vars = env as { WEBHOOK_ALLOW_LOOPBACK?: string };
    const refused = [
      "http://hooks.example.com/x",
      "ftp://hooks.example.com/x",
      "https://127.0.0.1/x",
      "https://10.1.2.3/x",
      "https://172.16.0.9/x",
      "https://192.168.1.1/x",
      "https://100.64.0.1/x",
      "https://169.254.169.254/latest/meta-data",
      "https://0.0.0.0/x",
      "https://2130706433/x",
      "https://0x7f.1/x",
      "https://[::1]/x",
      "https://[::ffff:127.0.0.1]/x",
      "https://[fd00:ec2::254]/x",
      "https://[fe80::1]/x",
      "https://localhost/x",
      "https://api.localhost/x",
      "https://metadata.google.internal/x",
      "https://printer.local/x",
      "https://intranet/x",
      "https://user:pw@hooks.example.com/x",
      "not a url",
    ];
    const allowedAnywhere = ["https://hooks.example.com/x", "https://93.184.216.34/x", "https://[2606:4700::1111]/x"];
    const loopback = ["http://127.0.0.1:9999/hook", "http://localhost:8080/hook"];
    const post = (url: string) =>
      api("/api/v1/webhooks", { method: "POST", as: user, json: { url, events: ["video.ready"] } });
    vars.WEBHOOK_ALLOW_LOOPBACK = "false";
    try {
      for (const url of [...refused, ...loopback]) {
        const problem = await expectProblem(await post(url), 400, "validation_failed");
        expect(problem.invalid_params[0].name, url).toBe("url");
      }
      for (const url of allowedAnywhere) expect((await post(url)).status, url).toBe(201);
    } finally {
      vars.WEBHOOK_ALLOW_LOOPBACK = "true";
    }
    for (const url of loopback) expect((await post(url)).status, url).toBe(201);
    // The local setting opens loopback and nothing else.
    for (const url of ["http://127.0.0.2/x", "http://[::1]/x", "http://10.0.0.1/x", "http://hooks.example.com/x"]) {
      await expectProblem(await post(url), 400, "validation_failed");
    }
    expect(checkWebhookUrl("https://[64:ff9b::a00:1]/x", { allowLoopback: false }).ok).toBe(false);
  });

  it("refuses a name that resolves to a private, loopback or metadata address, on save and before each attempt", async () => {
    const user = await registerUser();
    Object.assign(dns.records, {
      "rebind.example.net": { A: ["10.0.0.7"] },
      "meta.example.net": { cname: "instance.attacker.example", A: ["169.254.169.254"] },
      "mixed.example.net": { A: ["93.184.215.14"], AAAA: ["fd00::5"] },
      "loop.example.net": { A: ["127.0.0.1"] },
      "fine.example.net": { A: ["93.184.215.14"] },
    });
    const post = (url: string) =>
      api("/api/v1/webhooks", { method: "POST", as: user, json: { url, events: ["video.ready"] } });
    const refused: [string, string][] = [
      ["https://rebind.example.net/x", "must not resolve to a private or reserved address"],
      ["https://meta.example.net/x", "must not resolve to a private or reserved address"],
      ["https://mixed.example.net/x", "must not resolve to a private or reserved address"],
      // The local setting (on in tests) opens the literal 127.0.0.1 and localhost, not a name that leads there.
      ["https://loop.example.net/x", "must not resolve to a private or reserved address"],
      ["https://missing.example.net/x", "must name a host that resolves"],
    ];
    for (const [url, reason] of refused) {
      const problem = await expectProblem(await post(url), 400, "validation_failed");
      expect(problem.invalid_params, url).toEqual([{ name: "url", reason }]);
    }
    expect(dns.asked).toContain("rebind.example.net A");
    expect(dns.asked).toContain("mixed.example.net AAAA");
    // A resolver that cannot answer refuses too, saying to try again.
    dns.down = true;
    const down = await expectProblem(await post("https://fine.example.net/x"), 400, "validation_failed");
    expect(down.invalid_params[0].reason).toBe("could not be resolved just now; try again");
    dns.down = false;
    const endpoint = (await (await post("https://fine.example.net/x")).json()) as Endpoint;
    await expectProblem(
      await api(`/api/v1/webhooks/${endpoint.id}`, {
        method: "PATCH",
        as: user,
        json: { url: "https://rebind.example.net/x" },
      }),
      400,
      "validation_failed",
    );

    // Pointed at a private address after it was saved: the attempt is refused, nothing is sent.
    dns.records["fine.example.net"] = { A: ["192.168.0.10"] };
    await testEvent(user, endpoint);
    expect(receiver.requests).toHaveLength(0);
    const [delivery] = await deliveriesOf(user, endpoint);
    expect(
      await (await api(`/api/v1/webhooks/${endpoint.id}/deliveries/${delivery!.id}`, { as: user })).json(),
    ).toMatchObject({ status: "pending", attempt_log: [{ attempt: 1, error: "url_refused", response_status: null }] });
  });

  it("checks the URL again at delivery time", async () => {
    const user = await registerUser();
    const endpoint = await createEndpoint(user, { url: "http://127.0.0.1:9/hook" });
    const vars = env as { WEBHOOK_ALLOW_LOOPBACK?: string };
    await api(`/api/v1/webhooks/${endpoint.id}/test`, { method: "POST", as: user });
    vars.WEBHOOK_ALLOW_LOOPBACK = "false";
    try {
      await drain();
    } finally {
      vars.WEBHOOK_ALLOW_LOOPBACK = "true";
    }
    expect(receiver.requests).toHaveLength(0);
    const [delivery] = await deliveriesOf(user, endpoint);
    const detail = await (await api(`/api/v1/webhooks/${endpoint.id}/deliveries/${delivery!.id}`, { as: user })).json();
    expect(detail).toMatchObject({
      status: "pending",
      attempts: 1,
      attempt_log: [{ attempt: 1, error: "url_refused", response_status: null }],
    });
  });

  it("edits, disables and enables an endpoint, and deletes it with its log", async () => {
    const user = await registerUser();
    const endpoint = await createEndpoint(user);
    const patch = (json: unknown) => api(`/api/v1/webhooks/${endpoint.id}`, { method: "PATCH", as: user, json });
    expect(
      await (await patch({ events: ["comment.created", "comment.created"], description: "x" })).json(),
    ).toMatchObject({
      events: ["comment.created"],
      description: "x",
    });
    expect(await (await patch({ enabled: false })).json()).toMatchObject({
      enabled: false,
      disabled_reason: "disabled",
    });
    await expectProblem(
      await api(`/api/v1/webhooks/${endpoint.id}/test`, { method: "POST", as: user }),
      409,
      "webhook_disabled",
    );
    expect(await (await patch({ enabled: true })).json()).toMatchObject({ enabled: true, disabled_reason: null });
    await testEvent(user, endpoint);
    expect((await api(`/api/v1/webhooks/${endpoint.id}`, { method: "DELETE", as: user })).status).toBe(204);
    await expectProblem(await api(`/api/v1/webhooks/${endpoint.id}`, { as: user }), 404, "not_found");
    expect(await row("SELECT count(*) AS n FROM webhook_deliveries WHERE endpoint_id = ?", endpoint.id)).toEqual({
      n: 0,
    });
  });

  it("answers 403 to anyone but the endpoint's owner", async () => {
    const owner = await registerUser();
    const other = await registerUser();
    const endpoint = await createEndpoint(owner);
    await testEvent(owner, endpoint);
    const [delivery] = await deliveriesOf(owner, endpoint);
    for (const [method, path] of [
      ["GET", ""],
      ["PATCH", ""],
      ["DELETE", ""],
      ["POST", "/rotate-secret"],
      ["POST", "/test"],
      ["GET", "/deliveries"],
      ["GET", `/deliveries/${delivery!.id}`],
      ["POST", `/deliveries/${delivery!.id}/retry`],
    ] as const) {
      const res = await api(`/api/v1/webhooks/${endpoint.id}${path}`, {
        method,
        as: other,
        ...(method === "PATCH" ? { json: { description: "mine" } } : {}),
      });
      await expectProblem(res, 403, "forbidden");
    }
    expect((await (await api("/api/v1/webhooks", { as: other })).json()) as unknown).toEqual({ items: [] });
  });
});

describe("webhook signatures", () => {
  it("signs per Standard Webhooks: the standardwebhooks verifier accepts it, and refuses it tampered", async () => {
    const user = await registerUser();
    const endpoint = await createEndpoint(user);
    const eventId = await testEvent(user, endpoint);
    const [request] = receiver.requests;
    expect(request).toBeDefined();
    expect(request!.headers["content-type"]).toBe("application/json");
    expect(request!.headers["webhook-id"]).toBe(eventId);
    expect(Math.abs(Number(request!.headers["webhook-timestamp"]) - Date.now() / 1000)).toBeLessThan(30);
    expect(request!.headers["webhook-signature"]).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);
    const verifier = new Webhook(endpoint.secret);
    const payload = verifier.verify(request!.body, signed(request!)) as {
      type: string;
      timestamp: string;
      data: unknown;
    };
    expect(payload).toMatchObject({
      type: "webhook.test",
      timestamp: expect.any(String),
      data: { webhook_id: endpoint.id },
    });

    const headers = signed(request!);
    expect(() => verifier.verify(request!.body.replace("test", "tost"), headers)).toThrow();
    expect(() => verifier.verify(request!.body, { ...headers, "webhook-id": `${headers["webhook-id"]}x` })).toThrow();
    expect(() =>
      verifier.verify(request!.body, {
        ...headers,
        "webhook-timestamp": String(Number(headers["webhook-timestamp"]) + 1),
      }),
    ).toThrow();
    expect(() => new Webhook(`whsec_${btoa("another secret of 24 bytes!")}`).verify(request!.body, headers)).toThrow();
  });

  it("signs with both secrets for 24 hours after a rotation, then with the new one alone", async () => {
    const user = await registerUser();
    const endpoint = await createEndpoint(user);
    const rotated = await api(`/api/v1/webhooks/${endpoint.id}/rotate-secret`, { method: "POST", as: user });
    const { secret, previous_secret_expires_at } = (await rotated.json()) as {
      secret: string;
      previous_secret_expires_at: string;
    };
    expect(secret).not.toBe(endpoint.secret);
    expect(new Date(previous_secret_expires_at).getTime() - Date.now()).toBeGreaterThan(23.9 * 3600_000);
    await testEvent(user, endpoint);
    const during = receiver.requests.at(-1)!;
    expect(during.headers["webhook-signature"]?.split(" ")).toHaveLength(2);
    expect(() => new Webhook(secret).verify(during.body, signed(during))).not.toThrow();
    expect(() => new Webhook(endpoint.secret).verify(during.body, signed(during))).not.toThrow();

    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(Date.now() + 24 * 3600_000 + 1000);
    await testEvent(user, endpoint);
    const after = receiver.requests.at(-1)!;
    expect(after.headers["webhook-signature"]?.split(" ")).toHaveLength(1);
    expect(() => new Webhook(secret).verify(after.body, signed(after))).not.toThrow();
    expect(() => new Webhook(endpoint.secret).verify(after.body, signed(after))).toThrow();
  });
});

describe("webhook deliveries", () => {
  it("retries a failing endpoint on the schedule, with jitter and the same webhook-id, then gives up", async () => {
    const user = await registerUser();
    const endpoint = await createEndpoint(user);
    receiver.answer = () => new Response("upstream is down", { status: 500 });
    vi.useFakeTimers({ toFake: ["Date"] });
    const start = Date.now();
    await api(`/api/v1/webhooks/${endpoint.id}/test`, { method: "POST", as: user });
    await drain();
    let clock = start;
    for (let attempt = 2; attempt <= MAX_ATTEMPTS; attempt++) {
      const [next] = take("attempt");
      expect(next?.body).toMatchObject({ kind: "attempt", attempt });
      const wait = RETRY_SCHEDULE[attempt - 2]!;
      const planned = Math.min(next!.delaySeconds, 43_200);
      // The queue holds a message 12 h at most; past that the consumer puts it back for the rest.
      expect(next!.delaySeconds).toBeLessThanOrEqual(43_200);
      const [delivery] = await deliveriesOf(user, endpoint);
      const due = new Date(delivery!.next_attempt_at!).getTime();
      expect((due - clock) / 1000).toBeGreaterThanOrEqual(Math.floor(wait * 0.9));
      expect((due - clock) / 1000).toBeLessThanOrEqual(Math.ceil(wait * 1.1));
      if (wait <= 43_200) expect(planned).toBe(Math.round((due - clock) / 1000));
      // Arriving early (a long wait spans several messages) only puts the message back.
      if (wait > 43_200) {
        vi.setSystemTime(clock + planned * 1000);
        await deliver("webhook-deliveries", [next!.body]);
        const [again] = take("attempt");
        expect(again?.body).toMatchObject({ attempt });
        expect(receiver.requests).toHaveLength(attempt - 1);
      }
      clock = due;
      vi.setSystemTime(clock);
      await deliver("webhook-deliveries", [next!.body]);
      expect(receiver.requests).toHaveLength(attempt);
    }
    expect(take("attempt")).toEqual([]);
    expect(new Set(receiver.requests.map((r) => r.headers["webhook-id"])).size).toBe(1);
    const [delivery] = await deliveriesOf(user, endpoint);
    expect(delivery).toMatchObject({
      status: "failed",
      attempts: MAX_ATTEMPTS,
      response_status: 500,
      next_attempt_at: null,
    });
    const detail = (await (
      await api(`/api/v1/webhooks/${endpoint.id}/deliveries/${delivery!.id}`, { as: user })
    ).json()) as {
      attempt_log: { attempt: number; response_status: number; response_body: string }[];
    };
    expect(detail.attempt_log.map((a) => a.attempt)).toEqual(Array.from({ length: MAX_ATTEMPTS }, (_, i) => i + 1));
    expect(detail.attempt_log.every((a) => a.response_status === 500 && a.response_body === "upstream is down")).toBe(
      true,
    );
  });

  it("counts no answer within the timeout as a failed attempt, retried after 5 s", async () => {
    expect(deliveryDeps(env, databaseOf(env)).config.timeoutMs).toBe(15_000);
    const user = await registerUser();
    const endpoint = await createEndpoint(user);
    await api(`/api/v1/webhooks/${endpoint.id}/test`, { method: "POST", as: user });
    await deliver(
      "webhook-deliveries",
      take("event").map((q) => q.body),
    );
    const [first] = take("attempt");
    // A receiver that never answers, and a timeout short enough for a test (the real one is above).
    const hanging: typeof fetch = (_input, init) =>
      new Promise((_, reject) => init?.signal?.addEventListener("abort", () => reject(new Error("aborted"))));
    const base = deliveryDeps(env, database(env.DB));
    const deps: DeliveryDeps = {
      ...base,
      fetch: hanging,
      config: { ...base.config, timeoutMs: 50 },
      random: () => 0.5,
    };
    const outcome = await attemptDelivery(
      deps,
      first!.body as { kind: "attempt"; delivery_id: string; attempt: number },
    );
    expect(outcome).toEqual({ result: "retry_scheduled", retryInSeconds: 5 });
    const [delivery] = await deliveriesOf(user, endpoint);
    const detail = (await (
      await api(`/api/v1/webhooks/${endpoint.id}/deliveries/${delivery!.id}`, { as: user })
    ).json()) as {
      attempt_log: { attempt: number; error: string | null }[];
    };
    expect(detail.attempt_log).toMatchObject([{ attempt: 1, error: "timeout" }]);
    expect(take("attempt")).toMatchObject([{ body: { attempt: 2 }, delaySeconds: 5 }]);
  });

  it("honours Retry-After, counts a redirect as a failure without following it, and keeps a body excerpt", async () => {
    const user = await registerUser();
    const endpoint = await createEndpoint(user);
    receiver.answer = () => new Response("x".repeat(5000), { status: 503, headers: { "Retry-After": "120" } });
    await testEvent(user, endpoint);
    const [retry] = take("attempt");
    expect(retry!.delaySeconds).toBe(120);
    const [delivery] = await deliveriesOf(user, endpoint);
    let detail = (await (
      await api(`/api/v1/webhooks/${endpoint.id}/deliveries/${delivery!.id}`, { as: user })
    ).json()) as {
      attempt_log: { response_status: number | null; response_body: string | null; error: string | null }[];
    };
    expect(detail.attempt_log[0]).toMatchObject({ response_status: 503, error: null });
    expect(detail.attempt_log[0]!.response_body).toHaveLength(1024);

    receiver.answer = () => new Response(null, { status: 302, headers: { Location: "http://169.254.169.254/" } });
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(Date.now() + 121_000);
    await deliver("webhook-deliveries", [retry!.body]);
    expect(receiver.requests.map((r) => new URL(r.url).host)).toEqual(["hooks.example.com", "hooks.example.com"]);
    detail = (await (
      await api(`/api/v1/webhooks/${endpoint.id}/deliveries/${delivery!.id}`, { as: user })
    ).json()) as typeof detail;
    expect(detail.attempt_log[1]).toMatchObject({ response_status: null, error: "redirect" });
  });

  it("disables an endpoint that answers 410, which then hears nothing more", async () => {
    const user = await registerUser();
    const endpoint = await createEndpoint(user);
    receiver.answer = () => new Response("gone", { status: 410 });
    await testEvent(user, endpoint);
    expect(take("attempt")).toEqual([]);
    expect(await (await api(`/api/v1/webhooks/${endpoint.id}`, { as: user })).json()).toMatchObject({
      enabled: false,
      disabled_reason: "gone",
    });
    const [delivery] = await deliveriesOf(user, endpoint);
    expect(delivery).toMatchObject({ status: "failed", response_status: 410 });
    const video = await catalogueVideo(user, { title: "After the 410" });
    await deliver("video-ready", [readyMessage(user, video)]);
    await drain();
    expect(receiver.requests).toHaveLength(1);
    await expectProblem(
      await api(`/api/v1/webhooks/${endpoint.id}/deliveries/${delivery!.id}/retry`, { method: "POST", as: user }),
      409,
      "webhook_disabled",
    );
  });

  it("takes a batch of attempts to many endpoints at once, each with its own answer's fate", async () => {
    const user = await registerUser();
    const fine = [];
    for (let i = 0; i < 8; i++) fine.push(await createEndpoint(user, { url: `${HOOKS}/fine-${i}` }));
    const down = await createEndpoint(user, { url: `${HOOKS}/down` });
    const gone = await createEndpoint(user, { url: `${HOOKS}/gone` });
    const off = await createEndpoint(user, { url: `${HOOKS}/off` });
    receiver.answer = (request) => {
      const path = new URL(request.url).pathname;
      if (path === "/down") return new Response("down", { status: 500 });
      if (path === "/gone") return new Response("gone", { status: 410 });
      return new Response("ok");
    };
    const video = await catalogueVideo(user, { title: "To everyone" });
    await deliver("video-ready", [readyMessage(user, video)]);
    await deliver(
      "webhook-deliveries",
      take("event").map((q) => q.body),
    );
    const attempts = take("attempt");
    expect(attempts).toHaveLength(11);
    // Turned off after the fan-out: its delivery fails when its turn comes, unsent.
    const patched = await api(`/api/v1/webhooks/${off.id}`, { method: "PATCH", as: user, json: { enabled: false } });
    expect(patched.status).toBe(200);

    // One batch, more attempts than it sends at once (SEND_LANES); their host resolved once.
    dns.asked = [];
    const result = await deliver(
      "webhook-deliveries",
      attempts.map((a) => a.body),
    );
    expect(result.explicitAcks).toHaveLength(11);
    expect(dns.asked.sort()).toEqual(["hooks.example.com A", "hooks.example.com AAAA"]);
    expect(result.retryMessages).toEqual([]);
    expect(receiver.requests.map((r) => new URL(r.url).pathname).sort()).toEqual(
      [...fine.map((_, i) => `/fine-${i}`), "/down", "/gone"].sort(),
    );
    const secretOf = new Map([...fine, down, gone].map((e) => [new URL(e.url).pathname, e.secret]));
    for (const r of receiver.requests) {
      expect(new Webhook(secretOf.get(new URL(r.url).pathname)!).verify(r.body, signed(r))).toMatchObject({
        type: "video.ready",
      });
    }
    expect(new Set(receiver.requests.map((r) => r.headers["webhook-id"])).size).toBe(1);
    for (const e of fine) expect((await deliveriesOf(user, e))[0]).toMatchObject({ status: "succeeded", attempts: 1 });
    expect((await deliveriesOf(user, down))[0]).toMatchObject({ status: "pending", attempts: 1, response_status: 500 });
    expect(take("attempt")).toMatchObject([{ body: { attempt: 2 } }]);
    expect((await deliveriesOf(user, gone))[0]).toMatchObject({ status: "failed", response_status: 410 });
    expect(await (await api(`/api/v1/webhooks/${gone.id}`, { as: user })).json()).toMatchObject({ enabled: false });
    expect((await deliveriesOf(user, off))[0]).toMatchObject({ status: "failed", attempts: 0 });

    // The same batch again (redelivered): nothing is sent twice.
    await deliver(
      "webhook-deliveries",
      attempts.map((a) => a.body),
    );
    expect(receiver.requests).toHaveLength(10);
  });

  it("sends a delivery again on request with the same webhook-id, and succeeds after a failure", async () => {
    const user = await registerUser();
    const endpoint = await createEndpoint(user);
    receiver.answer = () => new Response("no", { status: 500 });
    await testEvent(user, endpoint);
    take("attempt"); // the scheduled retry, superseded by the manual one
    receiver.answer = () => new Response(null, { status: 204 });
    const [delivery] = await deliveriesOf(user, endpoint);
    const retried = await api(`/api/v1/webhooks/${endpoint.id}/deliveries/${delivery!.id}/retry`, {
      method: "POST",
      as: user,
    });
    expect(retried.status).toBe(202);
    expect((await deliveriesOf(user, endpoint))[0]).toMatchObject({ status: "pending" });
    await drain();
    expect(receiver.requests).toHaveLength(2);
    expect(receiver.requests[1]!.headers["webhook-id"]).toBe(receiver.requests[0]!.headers["webhook-id"]);
    expect(receiver.requests[1]!.body).toBe(receiver.requests[0]!.body);
    expect((await deliveriesOf(user, endpoint))[0]).toMatchObject({
      status: "succeeded",
      attempts: 2,
      response_status: 204,
    });
    // A delivery that ended may be sent once more; it does not start the schedule again.
    receiver.answer = () => new Response("no", { status: 500 });
    await api(`/api/v1/webhooks/${endpoint.id}/deliveries/${delivery!.id}/retry`, { method: "POST", as: user });
    await drain();
    expect(take("attempt")).toEqual([]);
    expect((await deliveriesOf(user, endpoint))[0]).toMatchObject({
      status: "failed",
      attempts: 3,
      response_status: 500,
    });
  });
});

describe("webhook events", () => {
  it("sends video.ready once per video, however often the video-ready message is delivered", async () => {
    const user = await registerUser();
    const endpoint = await createEndpoint(user, { events: ["video.ready"] });
    const video = await catalogueVideo(user, { title: "Launch", duration: 42 });
    const message = readyMessage(user, video);
    await deliver("video-ready", [message, message]);
    await drain();
    await deliver("video-ready", [message]);
    await drain();
    expect(receiver.requests).toHaveLength(1);
    const body = new Webhook(endpoint.secret).verify(receiver.requests[0]!.body, signed(receiver.requests[0]!));
    expect(body).toMatchObject({
      type: "video.ready",
      data: {
        video_id: video,
        title: "Launch",
        duration: 42,
        watch_url: `http://cloudtube.test/watch/${video}`,
        hls_url: `http://cloudtube.test/videos/${video}/master.m3u8`,
      },
    });
    expect(await row("SELECT count(*) AS n FROM webhook_events WHERE user_id = ?", user.id)).toEqual({ n: 1 });
  });

  it("sends each attempt once when its message comes twice", async () => {
    const user = await registerUser();
    await createEndpoint(user);
    const video = await catalogueVideo(user, { title: "Twice" });
    await deliver("video-ready", [readyMessage(user, video)]);
    const [fan] = take("event");
    await deliver("webhook-deliveries", [fan!.body, fan!.body]);
    const attempts = take("attempt");
    expect(attempts.length).toBeGreaterThanOrEqual(1);
    await deliver(
      "webhook-deliveries",
      [...attempts, ...attempts].map((a) => a.body),
    );
    expect(receiver.requests).toHaveLength(1);
  });

  it("makes an event where each notification is made, for the video owner's endpoints that hear it", async () => {
    const owner = await registerUser();
    const viewer = await registerUser();
    const all = await createEndpoint(owner, {
      events: ["video.failed", "video.deleted", "video.blocked", "comment.created", "comment.held"],
    });
    const onlyReady = await createEndpoint(owner, { url: `${HOOKS}/ready-only`, events: ["video.ready"] });
    const elsewhere = await createEndpoint(viewer, { events: ["comment.created", "video.deleted"] });

    // comment.created: a viewer comments on the owner's video.
    const video = await catalogueVideo(owner, { title: "Talked about" });
    const comment = await api(`/api/v1/videos/${video}/comments`, {
      method: "POST",
      as: viewer,
      json: { content: "Nice one" },
    });
    expect(comment.status).toBe(201);
    const { id: commentId } = (await comment.json()) as { id: string };
    await drain();
    // video.blocked: a moderator blocks it.
    const moderator = await registerUser();
    await env.DB.prepare("UPDATE users SET role = 'moderator' WHERE id = ?").bind(moderator.id).run();
    expect(
      (
        await api(`/api/v1/moderation/videos/${video}/block`, {
          method: "POST",
          as: moderator,
          json: { reason: "Spam" },
        })
      ).status,
    ).toBe(200);
    await drain();
    // video.deleted: the owner deletes another.
    const doomed = await catalogueVideo(owner, { title: "Doomed" });
    expect((await api(`/api/v1/videos/${doomed}`, { method: "DELETE", as: owner })).status).toBe(204);
    await drain();

    const heard = receiver.requests.map((r) => ({
      url: r.url,
      ...(JSON.parse(r.body) as { type: string; data: Record<string, unknown> }),
    }));
    expect(heard.map((h) => [h.url, h.type])).toEqual([
      [all.url, "comment.created"],
      [all.url, "video.blocked"],
      [all.url, "video.deleted"],
    ]);
    expect(heard[0]!.data).toMatchObject({
      comment_id: commentId,
      video_id: video,
      content: "Nice one",
      author: { id: viewer.id },
    });
    expect(heard[1]!.data).toMatchObject({ video_id: video, reason: "Spam" });
    expect(heard[2]!.data).toEqual({ video_id: doomed });
    expect(receiver.requests.some((r) => r.url === onlyReady.url || r.url === elsewhere.url)).toBe(false);
  });

  it("sends comment.held for a comment the channel's rules hold, and comment.created once it is approved", async () => {
    const owner = await registerUser();
    const viewer = await registerUser();
    const endpoint = await createEndpoint(owner, { events: ["comment.created", "comment.held"] });
    const rules = await api(`/api/v1/channels/${owner.channel_id}/moderation`, {
      method: "PUT",
      as: owner,
      json: { held_words: ["spoiler"], hold_links: false },
    });
    expect(rules.status).toBe(200);
    const video = await catalogueVideo(owner, { title: "Twist ending" });
    const posted = await api(`/api/v1/videos/${video}/comments`, {
      method: "POST",
      as: viewer,
      json: { content: "spoiler: it was a dream" },
    });
    expect(posted.status).toBe(201);
    const { id: commentId, status } = (await posted.json()) as { id: string; status: string };
    expect(status).toBe("held");
    await drain();
    const approve = () => api(`/api/v1/comments/${commentId}/approve`, { method: "POST", as: owner });
    expect((await approve()).status).toBe(200);
    await drain();
    // Approving again changes nothing, and tells no one again.
    expect((await approve()).status).toBe(200);
    await drain();
    const heard = receiver.requests.map(
      (r) => new Webhook(endpoint.secret).verify(r.body, signed(r)) as { type: string; data: Record<string, unknown> },
    );
    expect(heard.map((h) => [h.type, h.data.status])).toEqual([
      ["comment.held", "held"],
      ["comment.created", "published"],
    ]);
    expect(heard.every((h) => h.data.comment_id === commentId && h.data.content === "spoiler: it was a dream")).toBe(
      true,
    );
  });

  it("sends video.captions_ready once per version of an uploaded track", async () => {
    const owner = await registerUser();
    const endpoint = await createEndpoint(owner, { events: ["video.captions_ready"] });
    const { videoId } = await readyVideo(owner);
    const put = (text: string) =>
      api(`/api/v1/videos/${videoId}/captions/en`, {
        method: "PUT",
        as: owner,
        headers: { "Content-Type": "text/vtt" },
        body: text,
      });
    const first = "WEBVTT\n\n00:00:00.500 --> 00:00:02.000\nHello there\n";
    expect((await put(first)).status).toBe(200);
    await drain();
    // The same file again is the same version: nobody is told twice. A new file is news.
    expect((await put(first)).status).toBe(200);
    await drain();
    expect((await put("WEBVTT\n\n00:00:00.500 --> 00:00:02.000\nHello again\n")).status).toBe(200);
    await drain();
    const heard = receiver.requests.map(
      (r) => new Webhook(endpoint.secret).verify(r.body, signed(r)) as { type: string; data: Record<string, unknown> },
    );
    expect(heard.map((h) => h.type)).toEqual(["video.captions_ready", "video.captions_ready"]);
    expect(heard[0]!.data).toMatchObject({ video_id: videoId, language: "en", source: "uploaded" });
    expect(new Set(heard.map((h) => h.data.url)).size).toBe(2);
  });

  it("sends video.failed when processing gives up", async () => {
    const user = await registerUser();
    const endpoint = await createEndpoint(user, { events: ["video.failed"] });
    const { videoId } = await processingVideo(user);
    await deliver("video-upload-dlq", [{ kind: "watchdog", video_id: videoId }]);
    await drain();
    expect(receiver.requests).toHaveLength(1);
    expect(
      new Webhook(endpoint.secret).verify(receiver.requests[0]!.body, signed(receiver.requests[0]!)),
    ).toMatchObject({
      type: "video.failed",
      data: { video_id: videoId, error: { code: "transcode_failed" } },
    });
  });

  it("records nothing for an event no endpoint hears", async () => {
    const user = await registerUser();
    await createEndpoint(user, { events: ["comment.held"] });
    const video = await catalogueVideo(user, { title: "Unheard" });
    await deliver("video-ready", [readyMessage(user, video)]);
    expect(held.queued).toEqual([]);
    expect(await row("SELECT count(*) AS n FROM webhook_events WHERE user_id = ?", user.id)).toEqual({ n: 0 });
  });
});
