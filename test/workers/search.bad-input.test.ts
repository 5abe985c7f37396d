import { describe, expect, it } from "vitest";
import { api, catalogueVideo, earlyInRateWindow, expectProblem, freshIp, registerUser } from "./fixtures";

const get = (path: string, params: Record<string, string>) => api(`${path}?${new URLSearchParams(params)}`);

/** What people paste into a search box, FTS5 syntax and SQL included: results, never an error. */
const HOSTILE = [
  '"',
  '""',
  '"unbalanced quote',
  "*",
  "***",
  "bread*",
  "*bread",
  "NEAR(",
  "NEAR(bread sourdough, 2)",
  "NEAR",
  "-",
  "-bread",
  "bread -sourdough",
  "OR",
  "bread OR sourdough",
  "AND NOT",
  "bread AND NOT sourdough",
  "^",
  "^bread",
  "title:bread",
  "{title description}: bread",
  "title : sourdough",
  "video_search",
  "rank",
  "bread'); DROP TABLE videos; --",
  "' OR 1=1 --",
  "1; DELETE FROM search_documents",
  "\\",
  "%_%",
  "()",
  "(((",
  ")",
  "+",
  ":",
  "🍞🥖",
  "sourdough 🍞 bread",
  "\u0000",
  "\uE000bread\uE001",
  "<script>alert(1)</script>",
  "ﬁne ｂｒｅａｄ", // ligature and full-width letters
  "🙂".repeat(250),
  "a".repeat(1000),
  "bread ".repeat(166),
];

describe("search: bad input", () => {
  it("answers any text with results (possibly none), never an error", async () => {
    const user = await registerUser();
    const video = await catalogueVideo(user, {
      title: "Sourdough bread NEAR the OR oven",
      description: "title: rank and video_search are plain words here",
    });
    for (const q of HOSTILE) {
      const res = await get("/api/v1/search", { q });
      expect(res.status, `q=${JSON.stringify(q.slice(0, 40))}: ${await res.clone().text()}`).toBe(200);
      const body = (await res.json()) as { items: { id: string; highlight: { title: string } }[]; total: number };
      expect(Array.isArray(body.items)).toBe(true);
      for (const item of body.items) expect(item.highlight.title).not.toMatch(/<(?!\/?mark>)/);
      const suggest = await get("/api/v1/search/suggest", { q: q.slice(0, 200) });
      expect(suggest.status, `suggest q=${JSON.stringify(q.slice(0, 40))}`).toBe(200);
    }
    // The operators are words: the video that holds them is found by them.
    const near = (await (await get("/api/v1/search", { q: "NEAR( OR" })).json()) as { items: { id: string }[] };
    expect(near.items.map((i) => i.id)).toEqual([video]);
    const sql = (await (await get("/api/v1/search", { q: "bread'); DROP TABLE videos; --" })).json()) as {
      items: { id: string }[];
    };
    expect(sql.items.map((i) => i.id)).toContain(video);
  });

  it("refuses an empty or oversized query and unknown filter values with validation_failed", async () => {
    const cases: [Record<string, string>, string][] = [
      [{}, "q"],
      [{ q: "" }, "q"],
      [{ q: "   " }, "q"],
      [{ q: "a".repeat(1001) }, "q"],
      [{ q: "bread", duration: "forever" }, "duration"],
      [{ q: "bread", sort: "random" }, "sort"],
      [{ q: "bread", uploaded_after: "yesterday" }, "uploaded_after"],
      [{ q: "bread", uploaded_after: "2026-13-45" }, "uploaded_after"],
      [{ q: "bread", min_views: "-1" }, "min_views"],
      [{ q: "bread", min_views: "lots" }, "min_views"],
      [{ q: "bread", channel_id: "../../etc" }, "channel_id"],
      [{ q: "bread", category: "" }, "category"],
      [{ q: "bread", category: "c".repeat(51) }, "category"],
      [{ q: "bread", page: "0" }, "page"],
      [{ q: "bread", page: "101" }, "page"],
      [{ q: "bread", limit: "0" }, "limit"],
      [{ q: "bread", limit: "ten" }, "limit"],
    ];
    for (const [params, name] of cases) {
      const body = await expectProblem(await get("/api/v1/search", params), 400, "validation_failed");
      expect(body.invalid_params.map((p: { name: string }) => p.name)).toContain(name);
    }
    const suggest = await expectProblem(
      await get("/api/v1/search/suggest", { q: "a".repeat(201) }),
      400,
      "validation_failed",
    );
    expect(suggest.invalid_params).toEqual([expect.objectContaining({ name: "q" })]);
  });

  it("limits searches per caller with 429 rate_limited and Retry-After", async () => {
    const ip = freshIp();
    const once = () => api(`/api/v1/search?q=${encodeURIComponent("limit test")}`, { as: { ip } });
    // 121 searches that straddle a minute window's end would be two windows' worth.
    await earlyInRateWindow();
    for (let i = 0; i < 120; i++) expect((await once()).status).toBe(200);
    const limited = await once();
    expect(limited.headers.get("Retry-After")).toMatch(/^\d+$/);
    await expectProblem(limited, 429, "rate_limited");
  }, 90_000);
});
