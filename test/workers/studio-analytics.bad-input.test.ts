import { describe, expect, it } from "vitest";
import { api, catalogueVideo, expectProblem, registerUser } from "./fixtures";

const DAY = 86_400_000;

describe("the studio's analytics refuse a bad range with 400 validation_failed naming the parameter", () => {
  it("checks each of from, to and granularity, on the video's route and the channel's", async () => {
    const owner = await registerUser();
    const videoId = await catalogueVideo(owner, { title: "Ranges", duration: 100 });
    const now = Date.now();
    const iso = (ms: number) => new Date(ms).toISOString();
    const cases: [string, string, string][] = [
      ["from that is no time", "?from=yesterday", "from"],
      ["to that is no time", "?to=2026-13-45", "to"],
      ["a time without its zone", "?from=2026-11-01T10:00:00", "from"],
      ["an unknown granularity", "?granularity=minute", "granularity"],
      ["from after to", `?from=${iso(now - DAY)}&to=${iso(now - 2 * DAY)}`, "from"],
      ["from equal to to", "?from=2026-11-01&to=2026-11-01T00:00:00Z", "from"],
      ["a range over 400 days", `?from=${iso(now - 401 * DAY)}`, "from"],
      ["from before 1970", "?from=1969-12-01&to=1970-01-02", "from"],
      ["hours over 31 days", `?granularity=hour&from=${iso(now - 32 * DAY)}`, "granularity"],
    ];
    for (const path of [`/api/v1/studio/videos/${videoId}/analytics`, "/api/v1/studio/analytics"]) {
      for (const [what, query, field] of cases) {
        const problem = await expectProblem(await api(`${path}${query}`, { as: owner }), 400, "validation_failed");
        expect(
          problem.invalid_params.map((p: { name: string }) => p.name),
          `${what} (${path})`,
        ).toContain(field);
      }
    }
    // The default range (28 days) by hour is fine, and so are 31 days exactly, and 400 days by day.
    const ok = (query: string) => api(`/api/v1/studio/videos/${videoId}/analytics${query}`, { as: owner });
    expect((await ok("?granularity=hour")).status).toBe(200);
    expect((await ok(`?granularity=hour&from=2026-10-01&to=2026-11-01`)).status).toBe(200);
    expect((await ok(`?from=${iso(now - 400 * DAY)}&to=${iso(now)}`)).status).toBe(200);
  });

  it("fills in what is left out: to is now, from 28 days before to; a date is its midnight UTC", async () => {
    const owner = await registerUser();
    const videoId = await catalogueVideo(owner, { title: "Defaults", duration: 100 });
    const read = async (query: string) => {
      const res = await api(`/api/v1/studio/videos/${videoId}/analytics${query}`, { as: owner });
      expect(res.status).toBe(200);
      return (await res.json()) as { from: string; to: string; granularity: string; views: unknown[] };
    };
    const onlyTo = await read("?to=2026-11-29");
    expect(onlyTo).toMatchObject({ from: "2026-11-01T00:00:00.000Z", to: "2026-11-29T00:00:00.000Z" });
    expect(onlyTo.views).toHaveLength(28);
    const before = Date.now();
    const onlyFrom = await read("?from=2026-11-20T12:30:00%2B02:00");
    expect(onlyFrom.from).toBe("2026-11-20T10:30:00.000Z");
    expect(Date.parse(onlyFrom.to)).toBeGreaterThanOrEqual(before);
    expect(Date.parse(onlyFrom.to)).toBeLessThanOrEqual(Date.now());
    expect(onlyFrom.granularity).toBe("day");
  });

  it("refuses a video id that is no id", async () => {
    const owner = await registerUser();
    const problem = await expectProblem(
      await api(`/api/v1/studio/videos/${"x".repeat(33)}/analytics`, { as: owner }),
      400,
      "validation_failed",
    );
    expect(problem.invalid_params.map((p: { name: string }) => p.name)).toContain("video_id");
  });
});
