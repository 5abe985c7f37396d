// npm run bench:webhooks — one webhook event fanned out to many endpoints, against a bare fan-out.
//
// Starts the real local stack (scripts/start.mjs, WEBHOOK_ALLOW_LOOPBACK on as under npm
// start) and the bare baseline Worker (bench/bare) in the same runtime, and a receiver on
// 127.0.0.1 (a Node HTTP server, test/e2e/receiver.ts). One account adds BENCH_ENDPOINTS
// endpoints (default 1,000) on the receiver, each hearing `comment.created`. Then, alternating
// rounds (BENCH_ROUNDS, default 3):
//   - the platform: one comment on the account's video is one event, recorded once, fanned
//     out through the `webhook-deliveries` queue into one signed delivery per endpoint;
//   - the bare Worker: one request that POSTs the same body to as many receiver paths, 6 at
//     once (the lanes of one webhook batch, SEND_LANES), with no queue, storage or signing.
// Each receipt is timed from the moment the comment's POST (or the bare request) was sent;
// figures are deliveries per second (all of them over the time to the last) and p50 / p99
// from the event to receipt. A delivery missing after BENCH_WAIT_SECONDS, one received
// twice, or a signature a sample of 20 fails to verify (standardwebhooks) fails the run.
// BENCH_SMOKE=1: 20 endpoints, one round.
import { Webhook } from "standardwebhooks";
import { type Heard, signedHeaders, startReceiver } from "../test/e2e/receiver.ts";
import { announceSmoke, check, checkFinite, median, register, setting, smokeFooter, startStackAndBare } from "./lib.ts";

/** The consumer's requests at once per batch (SEND_LANES in workers/services/webhook-delivery.ts). */
const LANES = 6;
const endpointCount = setting("BENCH_ENDPOINTS", 1000, 20);
const rounds = setting("BENCH_ROUNDS", 3, 1);
const waitSeconds = setting("BENCH_WAIT_SECONDS", 60, 30);
announceSmoke();

const percentile = (xs: number[], p: number) => {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
};

interface RoundFigures {
  delivered: number;
  perSecond: number;
  p50: number;
  p99: number;
  last: number;
}

function figures(sentAt: number, heard: Heard[]): RoundFigures {
  const delays = heard.map((h) => h.at - sentAt);
  const last = Math.max(...delays);
  return {
    delivered: heard.length,
    perSecond: Math.round((heard.length / last) * 1000),
    p50: percentile(delays, 50),
    p99: percentile(delays, 99),
    last,
  };
}

const receiver = await startReceiver();
const { stack, bare } = await startStackAndBare({
  WEBHOOK_MAX_ENDPOINTS: String(endpointCount),
  LOG_REQUESTS: "false",
});
try {
  const token = await register(stack.url);
  const call = async <T>(path: string, body?: unknown): Promise<T> => {
    const res = await fetch(`${stack.url}${path}`, {
      method: body === undefined ? "GET" : "POST",
      headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    check(res.ok, `${path}: ${res.status} ${await res.clone().text()}`);
    return (await res.json()) as T;
  };
  // The account's video (an upload begun is enough to comment on for its owner).
  const { video_id: videoId } = await call<{ video_id: string }>("/api/v1/videos/upload/initiate", {
    filename: "bench.mp4",
    size: 1_000_000,
    content_type: "video/mp4",
    title: "Webhook fan-out",
  });
  const secrets = new Map<string, string>();
  for (let i = 0; i < endpointCount; i += 20) {
    await Promise.all(
      Array.from({ length: Math.min(20, endpointCount - i) }, async (_, j) => {
        const made = await call<{ secret: string }>("/api/v1/webhooks", {
          url: `${receiver.url}/hooks/${i + j}`,
          events: ["comment.created"],
        });
        secrets.set(`/hooks/${i + j}`, made.secret);
      }),
    );
  }
  console.log(`${endpointCount} endpoints on ${receiver.url}`);

  const platform: RoundFigures[] = [];
  const baseline: RoundFigures[] = [];
  for (let round = 1; round <= rounds; round++) {
    // The platform: one comment, one event, a delivery per endpoint.
    receiver.heard.length = 0;
    let sentAt = Date.now();
    await call(`/api/v1/videos/${videoId}/comments`, { content: `bench round ${round}` });
    const heard = [...(await receiver.until(endpointCount, waitSeconds * 1000))];
    await new Promise((r) => setTimeout(r, 1000)); // a duplicate would come now
    check(receiver.heard.length === endpointCount, `${receiver.heard.length - endpointCount} deliveries came twice`);
    const paths = new Set(heard.map((h) => h.path));
    check(paths.size === endpointCount, `deliveries reached ${paths.size} of ${endpointCount} endpoints`);
    const ids = new Set(heard.map((h) => h.headers["webhook-id"]));
    check(ids.size === 1, `one event should carry one webhook-id, saw ${ids.size}`);
    for (const h of heard.filter((_, i) => i % Math.max(1, Math.floor(heard.length / 20)) === 0)) {
      const secret = secrets.get(h.path);
      check(secret, `a delivery to an unknown path ${h.path}`);
      new Webhook(secret).verify(h.body, signedHeaders(h));
    }
    platform.push(figures(sentAt, heard));

    // The bare fan-out: the same requests, nothing else.
    receiver.heard.length = 0;
    sentAt = Date.now();
    const res = await fetch(
      `${bare.url}/fanout?url=${encodeURIComponent(`${receiver.url}/bare`)}&n=${endpointCount}&concurrency=${LANES}`,
      { method: "POST", body: heard[0]?.body ?? "{}" },
    );
    const out = (await res.json()) as { failed: number };
    check(res.ok && out.failed === 0, `bare fan-out: ${res.status}, ${out.failed} failed`);
    baseline.push(figures(sentAt, [...(await receiver.until(endpointCount, waitSeconds * 1000))]));
    const p = platform.at(-1)!;
    const b = baseline.at(-1)!;
    console.log(
      `round ${round}: platform ${p.delivered} delivered, ${p.perSecond}/s, p50 ${p.p50} ms, p99 ${p.p99} ms, last ${p.last} ms | bare ${b.perSecond}/s, p50 ${b.p50} ms, p99 ${b.p99} ms`,
    );
  }

  const med = (list: RoundFigures[], key: keyof RoundFigures) => median(list.map((r) => r[key]));
  const summary = {
    platform_per_second: med(platform, "perSecond"),
    platform_p50_ms: med(platform, "p50"),
    platform_p99_ms: med(platform, "p99"),
    bare_per_second: med(baseline, "perSecond"),
    bare_p50_ms: med(baseline, "p50"),
    bare_p99_ms: med(baseline, "p99"),
  };
  checkFinite(summary);
  console.log(`\nOne event to ${endpointCount} endpoints (medians of ${rounds} round${rounds === 1 ? "" : "s"}):`);
  console.log("| fan-out | delivered | deliveries/s | event to receipt p50 / p99 ms |");
  console.log("| --- | --- | --- | --- |");
  console.log(
    `| platform (queue, D1, signed) | ${endpointCount} / ${endpointCount} | ${summary.platform_per_second} | ${summary.platform_p50_ms} / ${summary.platform_p99_ms} |`,
  );
  console.log(
    `| bare Worker (requests only) | ${endpointCount} / ${endpointCount} | ${summary.bare_per_second} | ${summary.bare_p50_ms} / ${summary.bare_p99_ms} |`,
  );
  console.log(
    `\nplatform / bare: ${(summary.platform_per_second / summary.bare_per_second).toFixed(2)}x the rate; goal p99 <= 2000 ms: ${summary.platform_p99_ms <= 2000 ? "met" : "missed"}`,
  );
  smokeFooter();
} finally {
  await Promise.allSettled([stack.stop(), bare.stop(), receiver.close()]);
}
