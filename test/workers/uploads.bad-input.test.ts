import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { api, expectProblem, initiate, MiB, mp4Bytes, putPart, registerUser } from "./fixtures";

describe("upload initiate: bad input", () => {
  it("answers 401 without a token and with a forged one", async () => {
    await expectProblem(await api("/api/v1/videos/upload/initiate", { method: "POST", json: {} }), 401, "unauthorized");
    const forged = await api("/api/v1/videos/upload/initiate", {
      method: "POST",
      json: {},
      headers: { Authorization: "Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.bad" },
    });
    await expectProblem(forged, 401, "unauthorized");
  });

  it("refuses a file over the size limit before any byte", async () => {
    const user = await registerUser();
    const { res } = await initiate(user, { size: 10 * 1024 ** 3 + 1 });
    const body = await expectProblem(res, 400, "file_too_large");
    expect(body.max_size).toBe(10 * 1024 ** 3);
  });

  it.each([
    ["notes.txt", "text/plain"],
    ["picture.png", "image/png"],
    ["clip", "video/mp4"],
    ["clip.mp4", "image/png"],
  ])("refuses %s declared as %s", async (filename, content_type) => {
    const user = await registerUser();
    const { res } = await initiate(user, { filename, content_type });
    await expectProblem(res, 400, "unsupported_format");
  });

  it.each(["clip.mov", "clip.m4v", "clip.webm", "clip.mkv", "clip.avi", "clip.ts", "clip.3gp", "clip.mpeg"])(
    "accepts %s",
    async (filename) => {
      const user = await registerUser();
      const { res } = await initiate(user, { filename, content_type: "application/octet-stream" });
      expect(res.status).toBe(201);
    },
  );

  it("names every invalid field", async () => {
    const user = await registerUser();
    const res = await api("/api/v1/videos/upload/initiate", {
      method: "POST",
      as: user,
      json: { filename: "", size: -5, content_type: "video/mp4", title: "", visibility: "secret", tags: "x" },
    });
    const body = await expectProblem(res, 400, "validation_failed");
    const names = (body.invalid_params as { name: string }[]).map((p) => p.name).sort();
    expect(names).toEqual(["filename", "size", "tags", "title", "visibility"]);
  });

  it("refuses malformed JSON and a wrong content type", async () => {
    const user = await registerUser();
    const malformed = await api("/api/v1/videos/upload/initiate", {
      method: "POST",
      as: user,
      body: "{not json",
      headers: { "Content-Type": "application/json" },
    });
    await expectProblem(malformed, 400, "validation_failed");
    const text = await api("/api/v1/videos/upload/initiate", {
      method: "POST",
      as: user,
      body: "size=1",
      headers: { "Content-Type": "text/plain" },
    });
    expect([400, 415]).toContain(text.status);
  });
});

describe("upload parts: bad input", () => {
  it("refuses a part of the wrong size and stores nothing for it", async () => {
    const user = await registerUser();
    const { body } = await initiate(user, { size: 12 * MiB });
    const short = await putPart(user, body.upload_id, 1, mp4Bytes(8 * MiB - 1));
    const problem = await expectProblem(short, 400, "bad_part_size");
    expect(problem.expected_size).toBe(8 * MiB);
    const lastTooBig = await putPart(user, body.upload_id, 2, mp4Bytes(4 * MiB + 1));
    await expectProblem(lastTooBig, 400, "bad_part_size");
    const state = (await (await api(`/api/v1/videos/upload/${body.upload_id}`, { as: user })).json()) as {
      parts: unknown[];
    };
    expect(state.parts).toEqual([]);
  });

  it("refuses a part whose body stops short of its Content-Length", async () => {
    const user = await registerUser();
    const { body } = await initiate(user, { size: 6 * MiB });
    const bytes = mp4Bytes(6 * MiB);
    // A stream body without Content-Length, ending 10 bytes early.
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(bytes.subarray(0, 6 * MiB - 10));
        controller.close();
      },
    });
    const res = await api(`/api/v1/videos/upload/${body.upload_id}/chunk?part=1`, {
      method: "PUT",
      as: user,
      body: stream,
    });
    await expectProblem(res, 400, "bad_part_size");
  });

  it.each(["0", "3", "-1", "1.5", "abc", ""])("refuses part number %j", async (part) => {
    const user = await registerUser();
    const { body } = await initiate(user, { size: 12 * MiB });
    const res = await api(`/api/v1/videos/upload/${body.upload_id}/chunk?part=${part}`, {
      method: "PUT",
      as: user,
      body: mp4Bytes(8 * MiB),
    });
    await expectProblem(res, 400, "validation_failed");
  });

  it("turns away a renamed text file or PNG on part 1 and aborts the upload", async () => {
    for (const head of ["just some notes, not a video\n", "\x89PNG\r\n\x1a\n\0\0\0\rIHDR"]) {
      const user = await registerUser();
      const bytes = new Uint8Array(6 * MiB).fill(0x41);
      bytes.set(new TextEncoder().encode(head));
      const { body } = await initiate(user, { size: bytes.length });
      await expectProblem(await putPart(user, body.upload_id, 1, bytes), 400, "unsupported_format");
      expect(await env.DB.prepare("SELECT id FROM uploads WHERE id = ?").bind(body.upload_id).first()).toBeNull();
      expect(await env.DB.prepare("SELECT id FROM videos WHERE id = ?").bind(body.video_id).first()).toBeNull();
      expect((await env.MEDIA.list({ prefix: `videos/${body.video_id}/` })).objects).toHaveLength(0);
    }
  });

  it("lets only the uploader send, read, complete or abort", async () => {
    const owner = await registerUser();
    const other = await registerUser();
    const { body } = await initiate(owner, { size: 6 * MiB });
    const base = `/api/v1/videos/upload/${body.upload_id}`;
    await expectProblem(await putPart(other, body.upload_id, 1, mp4Bytes(6 * MiB)), 403, "forbidden");
    await expectProblem(await api(base, { as: other }), 403, "forbidden");
    await expectProblem(await api(`${base}/complete`, { method: "POST", as: other, json: {} }), 403, "forbidden");
    await expectProblem(await api(base, { method: "DELETE", as: other }), 403, "forbidden");
    await expectProblem(await api(base), 401, "unauthorized");
    // Still intact for its owner.
    expect((await api(base, { as: owner })).status).toBe(200);
  });

  it("answers 404 for an unknown upload and 400 for a malformed id", async () => {
    const user = await registerUser();
    await expectProblem(await api("/api/v1/videos/upload/doesnotexist", { as: user }), 404, "not_found");
    await expectProblem(await api("/api/v1/videos/upload/bad%20id!", { as: user }), 400, "validation_failed");
  });

  it("answers 409 upload_closed for parts after an abort and for an expired upload", async () => {
    const user = await registerUser();
    const { body } = await initiate(user, { size: 6 * MiB });
    await env.DB.prepare("UPDATE uploads SET expires_at = ? WHERE id = ?")
      .bind(Date.now() - 1000, body.upload_id)
      .run();
    const expired = await expectProblem(
      await putPart(user, body.upload_id, 1, mp4Bytes(6 * MiB)),
      409,
      "upload_closed",
    );
    expect(expired.upload_status).toBe("expired");
    await expectProblem(
      await api(`/api/v1/videos/upload/${body.upload_id}/complete`, { method: "POST", as: user, json: {} }),
      409,
      "upload_closed",
    );
  });

  it("answers 409 to DELETE of a completed upload", async () => {
    const user = await registerUser();
    const { body } = await initiate(user, { size: 5 * MiB });
    expect((await putPart(user, body.upload_id, 1, mp4Bytes(5 * MiB))).status).toBe(200);
    expect(
      (await api(`/api/v1/videos/upload/${body.upload_id}/complete`, { method: "POST", as: user, json: {} })).status,
    ).toBe(202);
    await expectProblem(
      await api(`/api/v1/videos/upload/${body.upload_id}`, { method: "DELETE", as: user }),
      409,
      "upload_closed",
    );
  });
});
