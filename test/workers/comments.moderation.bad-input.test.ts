import { describe, expect, it } from "vitest";
import { api, expectProblem, registerUser } from "./fixtures";

// Bad input to blocks, a channel's comment rules and approvals: each rule refused with the field it breaks.

const names = (body: Record<string, any>) => body.invalid_params.map((p: { name: string }) => p.name);

describe("comment moderation: bad input", () => {
  it("checks a channel's rules: both fields, at most 200 words of 1-50 letters and digits, nothing else", async () => {
    const owner = await registerUser();
    const put = (json: unknown) =>
      api(`/api/v1/channels/${owner.channel_id}/moderation`, { method: "PUT", as: owner, json });
    const words = (n: number) => Array.from({ length: n }, (_, i) => `word${i}`);
    for (const [json, name] of [
      [{}, "held_words"],
      [{ held_words: [] }, "hold_links"],
      [{ held_words: "spoiler", hold_links: false }, "held_words"],
      [{ held_words: [], hold_links: "yes" }, "hold_links"],
      [{ held_words: words(201), hold_links: false }, "held_words"],
      [{ held_words: [""], hold_links: false }, "held_words.0"],
      [{ held_words: ["ok", "   "], hold_links: false }, "held_words.1"],
      [{ held_words: ["x".repeat(51)], hold_links: false }, "held_words.0"],
      [{ held_words: ["@ss"], hold_links: false }, "held_words.0"],
      [{ held_words: ["-dash"], hold_links: false }, "held_words.0"],
      [{ held_words: ["a<b"], hold_links: false }, "held_words.0"],
      [{ held_words: [42], hold_links: false }, "held_words.0"],
      [{ held_words: [], hold_links: false, extra: 1 }, ""],
    ] as const) {
      const body = await expectProblem(await put(json), 400, "validation_failed");
      if (name) expect(names(body), JSON.stringify(json)).toContain(name);
    }
    // The edges are fine: 200 words, 50 characters, phrases with inner spaces, apostrophes, hyphens.
    const edge = await put({ held_words: [...words(199), "y".repeat(50)], hold_links: false });
    expect(edge.status).toBe(200);
    const phrases = await put({
      held_words: ["don't  spoil", "Self-Promo", "SELF-PROMO", "ünïcode"],
      hold_links: true,
    });
    expect(phrases.status).toBe(200);
    // Trimmed, spaces collapsed, lower-cased, each once.
    expect(((await phrases.json()) as { held_words: string[] }).held_words).toEqual([
      "don't spoil",
      "self-promo",
      "ünïcode",
    ]);
    const notJson = await api(`/api/v1/channels/${owner.channel_id}/moderation`, {
      method: "PUT",
      as: owner,
      body: "{held_words",
      headers: { "Content-Type": "application/json" },
    });
    await expectProblem(notJson, 400, "validation_failed");
    await expectProblem(await api("/api/v1/channels/not an id!/moderation", { as: owner }), 400, "validation_failed");
  });

  it("checks ids and pages of blocks, held lists and approvals, and wants a token", async () => {
    const user = await registerUser();
    await expectProblem(
      await api("/api/v1/users/me/blocks/not%20an%20id!", { method: "PUT", as: user }),
      400,
      "validation_failed",
    );
    await expectProblem(await api("/api/v1/users/me/blocks?page=0", { as: user }), 400, "validation_failed");
    await expectProblem(
      await api(`/api/v1/channels/${user.channel_id}/held-comments?limit=0`, { as: user }),
      400,
      "validation_failed",
    );
    await expectProblem(
      await api("/api/v1/comments/not%20an%20id!/approve", { method: "POST", as: user }),
      400,
      "validation_failed",
    );
    await expectProblem(await api("/api/v1/comments/somecomment/approve", { method: "POST" }), 401, "unauthorized");
    await expectProblem(await api(`/api/v1/channels/${user.channel_id}/held-comments`), 401, "unauthorized");
    await expectProblem(
      await api(`/api/v1/channels/${user.channel_id}/moderation`, {
        method: "PUT",
        json: { held_words: [], hold_links: false },
      }),
      401,
      "unauthorized",
    );
    // A list's limit past its cap is clamped, not refused.
    const clamped = await api("/api/v1/users/me/blocks?limit=500", { as: user });
    expect(await clamped.json()).toMatchObject({ limit: 100, items: [] });
  });
});
