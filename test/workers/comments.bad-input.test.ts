import { describe, expect, it } from "vitest";
import {
  api,
  catalogueVideo,
  earlyInRateWindow,
  expectProblem,
  readyVideo,
  registerUser,
  type TestUser,
} from "./fixtures";
import { stubTranscoder } from "./transcoder-stub";

stubTranscoder();

const postRaw = (user: TestUser | undefined, videoId: string, json: unknown) =>
  api(`/api/v1/videos/${videoId}/comments`, { method: "POST", as: user, json });

async function setup() {
  const owner = await registerUser();
  const { videoId } = await readyVideo(owner);
  return { owner, videoId, user: await registerUser() };
}

describe("comments: bad input", () => {
  it("checks the body: content present, 1-10,000 characters after trimming, no unknown fields", async () => {
    const { videoId, user } = await setup();
    for (const [json, name] of [
      [{}, "content"],
      [{ content: "" }, "content"],
      [{ content: "   \n\t " }, "content"],
      [{ content: "x".repeat(10_001) }, "content"],
      [{ content: 42 }, "content"],
      [{ content: "fine", parent_id: "not an id!" }, "parent_id"],
      [{ content: "fine", extra: true }, ""],
    ] as const) {
      const body = await expectProblem(await postRaw(user, videoId, json), 400, "validation_failed");
      if (name) expect(body.invalid_params.map((p: { name: string }) => p.name)).toContain(name);
    }
    // Exactly 10,000 after trimming is fine.
    expect((await postRaw(user, videoId, { content: `  ${"y".repeat(10_000)}  ` })).status).toBe(201);
    const notJson = await api(`/api/v1/videos/${videoId}/comments`, {
      method: "POST",
      as: user,
      body: "{not json",
      headers: { "Content-Type": "application/json" },
    });
    await expectProblem(notJson, 400, "validation_failed");
  });

  it("wants a token, a visible video and a parent on the same video", async () => {
    const { videoId, user, owner } = await setup();
    await expectProblem(await postRaw(undefined, videoId, { content: "hi" }), 401, "unauthorized");
    await expectProblem(await postRaw(user, "nosuchvideo", { content: "hi" }), 404, "not_found");
    const { videoId: other } = await readyVideo(owner);
    const elsewhere = (await (await postRaw(owner, other, { content: "on another video" })).json()) as { id: string };
    for (const parent_id of [elsewhere.id, "nosuchcomment"]) {
      const body = await expectProblem(
        await postRaw(user, videoId, { content: "reply", parent_id }),
        400,
        "validation_failed",
      );
      expect(body.invalid_params).toEqual([{ name: "parent_id", reason: "must be a comment on this video" }]);
    }
  });

  it("rejects profanity, the usual evasions included, with comment_rejected", async () => {
    const { videoId, user } = await setup();
    for (const content of [
      "what the fuck",
      "you are a f.u.c.k.i.n.g idiot",
      "total sh1t",
      "fuuuuuck this",
      "B I T C H",
      "a$$hole",
      "Ｆｕｃｋ",
    ]) {
      const body = await expectProblem(await postRaw(user, videoId, { content }), 400, "comment_rejected");
      expect(body.reason).toBe("profanity");
    }
    // Innocent words that contain a bad one are not caught.
    expect(
      (
        await postRaw(user, videoId, {
          content: "Greetings from Scunthorpe: I assume you passed the class, a b c; I scored 455 and 717 at 4:55",
        })
      ).status,
    ).toBe(201);
  });

  it("rejects link floods and the same text again from one user", async () => {
    const { videoId, user } = await setup();
    const flood = "deals: https://a.example/x http://b.example/y www.c.example spam.xyz/buy";
    expect(
      (await expectProblem(await postRaw(user, videoId, { content: flood }), 400, "comment_rejected")).reason,
    ).toBe("links");
    expect(
      (await postRaw(user, videoId, { content: "the paper: https://arxiv.org/abs/1 and https://example.com/2" }))
        .status,
    ).toBe(201);
    expect((await postRaw(user, videoId, { content: "First!" })).status).toBe(201);
    const again = await expectProblem(await postRaw(user, videoId, { content: "  First!  " }), 400, "comment_rejected");
    expect(again.reason).toBe("duplicate");
    // Someone else may say the same thing.
    expect((await postRaw(await registerUser(), videoId, { content: "First!" })).status).toBe(201);
  });

  it("limits how fast one user comments across the platform (429 with Retry-After)", async () => {
    const { user } = await setup();
    // Ten comments a minute in all, spread over videos (each video's room allows three in a burst).
    const owner = await registerUser();
    const videos = [];
    for (let i = 0; i < 4; i++) videos.push(await catalogueVideo(owner, { title: `Limit ${i}` }));
    // Eleven comments that straddle a minute window's end would be two windows' worth.
    await earlyInRateWindow(40_000);
    for (let i = 0; i < 10; i++) {
      expect((await postRaw(user, videos[i % 4]!, { content: `message ${i}` })).status).toBe(201);
    }
    const res = await postRaw(user, videos[3]!, { content: "one too many" });
    await expectProblem(res, 429, "rate_limited");
    expect(Number(res.headers.get("Retry-After"))).toBeGreaterThan(0);
    expect(res.headers.get("RateLimit-Remaining")).toBe("0");
  }, 60_000);

  it("checks list queries and ids", async () => {
    const { videoId, user } = await setup();
    for (const query of ["sort=oldest", "limit=0", "limit=-3", "page=0", "page=x"]) {
      await expectProblem(await api(`/api/v1/videos/${videoId}/comments?${query}`), 400, "validation_failed");
    }
    await expectProblem(await api(`/api/v1/videos/nosuchvideo/comments`), 404, "not_found");
    await expectProblem(await api(`/api/v1/comments/nosuchcomment/replies`), 404, "not_found");
    await expectProblem(await api(`/api/v1/comments/bad!id/replies`), 400, "validation_failed");
    await expectProblem(await api(`/api/v1/comments/nosuchcomment`, { method: "DELETE", as: user }), 404, "not_found");
    await expectProblem(
      await api(`/api/v1/comments/nosuchcomment`, { method: "PUT", as: user }),
      405,
      "method_not_allowed",
    );
  });
});
