import path from "node:path";
import { Webhook } from "standardwebhooks";
import { afterAll, describe, expect, it } from "vitest";
import { makeClip } from "./clients";
import { signedHeaders, startReceiver } from "./receiver";
import { runningStack } from "./stack";

const running = runningStack("webhooks");
let receiver: Awaited<ReturnType<typeof startReceiver>> | undefined;
afterAll(async () => receiver?.close());

describe("webhooks on the running stack", () => {
  it("an integrator's server hears video.ready for an upload, signed; a failed first attempt is retried after 5 s", async () => {
    const { api, work } = running;
    receiver = await startReceiver();
    // The first attempt meets a server error; the retry succeeds.
    let failures = 1;
    receiver.state.answer = () => (failures-- > 0 ? 500 : 200);
    const owner = await api.register();
    const endpoint = await api.call<{ id: string; secret: string }>(owner, "/api/v1/webhooks", {
      method: "POST",
      body: JSON.stringify({ url: `${receiver.url}/cloudtube`, events: ["video.ready"] }),
    });
    const clip = path.join(work, "hooked.mp4");
    makeClip(clip, 2);
    const videoId = await api.upload(owner, clip, { title: "Hooked" });
    await api.waitReady(owner, videoId);

    const [first, second] = await receiver.until(2, 60_000);
    const verifier = new Webhook(endpoint.secret);
    for (const heard of [first!, second!]) {
      expect(heard.path).toBe("/cloudtube");
      const event = verifier.verify(heard.body, signedHeaders(heard)) as {
        type: string;
        data: Record<string, unknown>;
      };
      expect(event).toMatchObject({
        type: "video.ready",
        data: {
          video_id: videoId,
          title: "Hooked",
          status: "ready",
          watch_url: `${running.stack.url}/watch/${videoId}`,
        },
      });
    }
    expect(second!.headers["webhook-id"]).toBe(first!.headers["webhook-id"]);
    expect(second!.body).toBe(first!.body);
    // 5 s, give or take the 10% jitter and the local queue's batching (up to a second).
    const gap = (second!.at - first!.at) / 1000;
    expect(gap).toBeGreaterThanOrEqual(4.4);
    expect(gap).toBeLessThan(8);

    const { items } = await api.call<{
      items: { id: string; status: string; attempts: number; response_status: number }[];
    }>(owner, `/api/v1/webhooks/${endpoint.id}/deliveries`);
    expect(items).toMatchObject([{ status: "succeeded", attempts: 2, response_status: 200 }]);
    const detail = await api.call<{ attempt_log: { response_status: number }[] }>(
      owner,
      `/api/v1/webhooks/${endpoint.id}/deliveries/${items[0]!.id}`,
    );
    expect(detail.attempt_log.map((a) => a.response_status)).toEqual([500, 200]);
    // Nothing more comes: one event, delivered.
    await new Promise((r) => setTimeout(r, 2000));
    expect(receiver.heard).toHaveLength(2);
  });
});
