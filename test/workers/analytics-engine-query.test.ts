import { describe, expect, it } from "vitest";
import { analyticsEngineDialect, analyticsEngineQuery } from "../../workers/storage/analytics-query";

// Analytics Engine has no local query path, so the production runner is checked against the
// SQL API's documented request (POST the SQL as the body to
// /client/v4/accounts/{account_id}/analytics_engine/sql, `Authorization: Bearer`) and its
// FORMAT JSON answer (`meta` with each column's type, `data` with rows by name, 64-bit
// integers as strings), through a fetch that records what it was asked.

const T0 = Date.UTC(2026, 11, 5, 10);
const params = { videoId: "vid_1", from: T0, to: T0 + 86_400_000, granularity: "hour" as const };

function recording(answer: Response) {
  const asked: { url: string; init: RequestInit }[] = [];
  const fetch = (async (url: string, init: RequestInit) => {
    asked.push({ url, init });
    // A copy per call: a test may ask several times.
    return answer.clone();
  }) as unknown as typeof globalThis.fetch;
  return { asked, fetch };
}

const api = (fetch: typeof globalThis.fetch) => ({
  accountId: "0123456789abcdef0123456789abcdef",
  token: "test-token",
  dataset: "cloudtube_playback_events",
  fetch,
});

describe("the Analytics Engine SQL API runner", () => {
  it("POSTs a template in Analytics Engine's dialect as the body, with the bearer token, and reads FORMAT JSON rows as numbers", async () => {
    const { asked, fetch } = recording(
      Response.json({
        meta: [
          { name: "t", type: "UInt32" },
          { name: "views", type: "UInt64" },
          { name: "watch_seconds", type: "Float64" },
        ],
        data: [
          { t: 1796464800, views: "12", watch_seconds: 340 },
          { t: 1796468400, views: "3", watch_seconds: 20 },
        ],
        rows: 2,
        rows_before_limit_at_least: 2,
      }),
    );
    const rows = await analyticsEngineQuery(api(fetch)).run("viewsOverTime", params);
    expect(rows).toEqual([
      { t: 1796464800, views: 12, watch_seconds: 340 },
      { t: 1796468400, views: 3, watch_seconds: 20 },
    ]);
    expect(asked).toHaveLength(1);
    const [{ url, init }] = asked as [{ url: string; init: RequestInit }];
    expect(url).toBe(
      "https://api.cloudflare.com/client/v4/accounts/0123456789abcdef0123456789abcdef/analytics_engine/sql",
    );
    expect(init.method).toBe("POST");
    expect(new Headers(init.headers).get("Authorization")).toBe("Bearer test-token");
    const sql = String(init.body);
    expect(sql).toContain("FROM cloudtube_playback_events");
    expect(sql).toContain("index1 = 'vid_1'");
    expect(sql).toContain(`timestamp >= toDateTime(${T0 / 1000})`);
    expect(sql).toContain(`timestamp < toDateTime(${T0 / 1000 + 86_400})`);
    // The events folded at read time to a row per video, hour, session and audience, weighted.
    expect(sql).toContain("toUnixTimestamp(toStartOfHour(timestamp)) AS t_hour");
    expect(sql).toContain("GROUP BY index1, channel, t_hour, session, source, region, device");
    expect(sql).toContain("SUM(_sample_interval * (blob1 = 'start')) AS starts_w");
    expect(sql).toContain("SELECT t_hour AS t,");
    expect(sql.trimEnd().endsWith("FORMAT JSON")).toBe(true);
  });

  it("writes every template in Analytics Engine's dialect: dimensions, the startup histogram, sessions, a channel's scope", async () => {
    const { asked, fetch } = recording(Response.json({ meta: [], data: [] }));
    const query = analyticsEngineQuery(api(fetch));
    const sqlOf = async (name: Parameters<typeof query.run>[0], p: Parameters<typeof query.run>[1] = params) => {
      await query.run(name, p);
      return String(asked.at(-1)?.init.body);
    };
    for (const [name, column, alias] of [
      ["sources", "blob3", "source"],
      ["regions", "blob4", "region"],
      ["devices", "blob5", "device"],
    ] as const) {
      const sql = await sqlOf(name);
      expect(sql).toContain(`${column} AS ${alias}`);
      // The fold's rows summed per video, hour and the column, then per the column.
      expect(sql).toContain(`${alias} AS k,`);
      expect(sql).toContain("GROUP BY index1, t_hour, k");
      expect(sql).toContain(`SELECT k AS ${alias}, SUM(n_starts) AS views`);
      expect(sql).toContain("WHERE n_starts > 0");
      expect(sql).toContain(`ORDER BY views DESC, ${alias}`);
    }
    const startup = await sqlOf("startup");
    expect(startup).toContain("MAX(toUInt32(double3 / 10) * 10 * (blob1 = 'start')) AS startup_bucket");
    expect(startup).toContain("SUM(_sample_interval * (blob1 = 'start') * (double3 > 0)) AS timed_w");
    expect(startup).toContain("startup_bucket AS k,");
    expect(startup).toContain("SELECT k AS ms, SUM(n_timed) AS starts");
    const sessions = await sqlOf("sessions");
    expect(sessions).toContain("MAX(blob1 = 'error') AS errored_any");
    expect(sessions).toContain("GROUP BY index1, session");
    expect(sessions).toContain("SELECT SUM(weight) AS sessions, SUM(weight * had_error) AS errored");
    const totals = await sqlOf("watchTime");
    expect(totals).toContain("SUM(_sample_interval * (blob1 = 'rebuffer') * double4) AS rebuffer_w");
    expect(totals).toContain("SUM(rebuffer_w) AS rebuffer_sum");
    expect(totals).toContain("SUM(rebuffer_sum) AS rebuffer_ms");
    expect(totals).toContain("MAX(weight) AS sample_interval");
    // A channel's scope filters on blob8 (the channel id every data point carries) instead of index1.
    const channel = { channelId: "chan_1", from: params.from, to: params.to, granularity: "day" as const };
    const top = await sqlOf("topVideos", channel);
    expect(top).toContain("blob8 = 'chan_1'");
    expect(top).not.toContain("index1 =");
    expect(top).toContain("GROUP BY video_id ORDER BY views DESC, watch_seconds DESC, video_id LIMIT 10");
    expect(await sqlOf("viewsOverTime", channel)).toContain("SELECT intDiv(t_hour, 86400) * 86400 AS t,");
    // No template names a result as a column it reads (ClickHouse would call that a cyclic alias).
    for (const { init } of asked) {
      for (const [, expr, alias] of String(init.body).matchAll(/([A-Za-z_]+\([^()]*\)) AS (\w+)/g)) {
        expect(expr).not.toMatch(new RegExp(`\\b${alias}\\b`));
      }
    }
    for (const { init } of asked) expect(String(init.body).trimEnd().endsWith("FORMAT JSON")).toBe(true);
  });

  it("keeps text columns as text and nulls as null", async () => {
    const { fetch } = recording(
      Response.json({
        meta: [
          { name: "views", type: "Nullable(UInt64)" },
          { name: "watch_seconds", type: "Nullable(Float64)" },
        ],
        data: [{ views: null, watch_seconds: null }],
        rows: 1,
      }),
    );
    expect(await analyticsEngineQuery(api(fetch)).run("watchTime", params)).toEqual([
      { views: null, watch_seconds: null },
    ]);
  });

  it("fails on a refusal naming only the status, not the answer's text", async () => {
    const { fetch } = recording(new Response("authentication error: token abc expired", { status: 401 }));
    const run = analyticsEngineQuery(api(fetch)).run("reach", params);
    await expect(run).rejects.toThrow("the Analytics Engine SQL API answered 401");
    await expect(run).rejects.not.toThrow(/token abc/);
  });

  it("fails on an answer without data", async () => {
    const { fetch } = recording(Response.json({ errors: ["bad"] }));
    await expect(analyticsEngineQuery(api(fetch)).run("watchTime", params)).rejects.toThrow("without data");
  });

  it("refuses bad parameters before anything is sent (nothing but checked values reaches the SQL)", async () => {
    const { asked, fetch } = recording(Response.json({ meta: [], data: [] }));
    const query = analyticsEngineQuery(api(fetch));
    await expect(query.run("watchTime", { ...params, videoId: "x' OR 1=1 --" })).rejects.toThrow(RangeError);
    await expect(query.run("watchTime", { ...params, from: 1.5 })).rejects.toThrow(RangeError);
    await expect(
      query.run("topVideos", { channelId: "c'; DROP", from: params.from, to: params.to, granularity: "day" }),
    ).rejects.toThrow(RangeError);
    expect(asked).toHaveLength(0);
    expect(() => analyticsEngineDialect("events; DROP")).toThrow(RangeError);
  });
});
