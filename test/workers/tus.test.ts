import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { api, type Caller, expectProblem, MiB, mp4Bytes, registerUser, row, type TestUser } from "./fixtures";

const TUS = "/api/v1/uploads/tus";
const TUS_HEADERS = { "Tus-Resumable": "1.0.0" };

const b64 = (text: string) => btoa(String.fromCharCode(...new TextEncoder().encode(text)));
const metadata = (fields: Record<string, string>) =>
  Object.entries(fields)
    .map(([key, value]) => `${key} ${b64(value)}`)
    .join(",");

function create(
  user: Caller,
  size: number | undefined,
  fields: Record<string, string> = { filename: "clip.mp4" },
  headers: Record<string, string> = {},
) {
  return api(TUS, {
    method: "POST",
    as: user,
    headers: {
      ...TUS_HEADERS,
      ...(size === undefined ? {} : { "Upload-Length": String(size) }),
      "Upload-Metadata": metadata(fields),
      ...headers,
    },
  });
}

/** Creates an upload and answers its path (from Location) and video id. */
async function created(user: TestUser, size: number, fields?: Record<string, string>) {
  const res = await create(user, size, fields);
  if (res.status !== 201) throw new Error(`create failed: ${res.status} ${await res.text()}`);
  const url = new URL(res.headers.get("Location")!);
  return { path: url.pathname, uploadId: url.pathname.split("/").pop()!, videoId: res.headers.get("Video-Id")! };
}

function patch(
  user: Caller,
  path: string,
  offset: number,
  body: Uint8Array | ReadableStream<Uint8Array>,
  headers: Record<string, string> = {},
) {
  return api(path, {
    method: "PATCH",
    as: user,
    body,
    headers: {
      ...TUS_HEADERS,
      "Upload-Offset": String(offset),
      "Content-Type": "application/offset+octet-stream",
      ...(body instanceof Uint8Array ? { "Content-Length": String(body.byteLength) } : {}),
      ...headers,
    },
  });
}

const head = (user: Caller, path: string) => api(path, { method: "HEAD", as: user, headers: TUS_HEADERS });

async function offsetOf(user: Caller, path: string): Promise<number> {
  const res = await head(user, path);
  expect(res.status).toBe(200);
  return Number(res.headers.get("Upload-Offset"));
}

/** A body that sends `bytes` and then breaks, as a dropped connection does. */
function cutAfter(bytes: Uint8Array): ReadableStream<Uint8Array> {
  let sent = false;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (sent) return controller.error(new Error("connection reset"));
      controller.enqueue(bytes);
      sent = true;
    },
  });
}

/** A tus problem: problem+json like any other, and the protocol version on it too. */
function expectTusProblem(res: Response, status: number, code: string) {
  expect(res.headers.get("Tus-Resumable")).toBe("1.0.0");
  return expectProblem(res, status, code);
}

/** A HEAD answer has no body to read a problem from: its status and tus header say it all. */
function expectHeadStatus(res: Response, status: number) {
  expect(res.status).toBe(status);
  expect(res.headers.get("Tus-Resumable")).toBe("1.0.0");
}

async function expectNothingLeft(uploadId: string, videoId: string) {
  expect(await row("SELECT id FROM uploads WHERE id = ?", uploadId)).toBeNull();
  expect(await row("SELECT id FROM videos WHERE id = ?", videoId)).toBeNull();
  expect(await row("SELECT count(*) AS n FROM upload_parts WHERE upload_id = ?", uploadId)).toEqual({ n: 0 });
  expect((await env.MEDIA.list({ prefix: `videos/${videoId}/` })).objects).toHaveLength(0);
  expect((await env.MEDIA.list({ prefix: `uploads/${uploadId}/` })).objects).toHaveLength(0);
}

describe("tus: discovery and creation", () => {
  it("answers OPTIONS with the version, extensions and largest size, without a token", async () => {
    const res = await api(TUS, { method: "OPTIONS" });
    expect(res.status).toBe(204);
    expect(res.headers.get("Tus-Resumable")).toBe("1.0.0");
    expect(res.headers.get("Tus-Version")).toBe("1.0.0");
    expect(res.headers.get("Tus-Extension")).toBe("creation,termination,expiration");
    expect(res.headers.get("Tus-Max-Size")).toBe(String(10 * 1024 ** 3));
  });

  it("creates an upload: Location, Video-Id, Upload-Expires; the video is uploading under the metadata's title", async () => {
    const user = await registerUser();
    const res = await create(user, 12 * MiB, {
      filename: "holiday.mov",
      title: "Sea & sun ☀",
      content_type: "video/quicktime",
    });
    expect(res.status).toBe(201);
    expect(res.headers.get("Tus-Resumable")).toBe("1.0.0");
    const location = res.headers.get("Location")!;
    expect(location).toMatch(/^http:\/\/cloudtube\.test\/api\/v1\/uploads\/tus\/[\w-]+$/);
    const videoId = res.headers.get("Video-Id")!;
    const expires = Date.parse(res.headers.get("Upload-Expires")!);
    expect(res.headers.get("Upload-Expires")).toMatch(/ GMT$/);
    expect(expires - Date.now()).toBeGreaterThan(23 * 3600_000);

    const uploadId = location.split("/").pop();
    expect(
      await row("SELECT protocol, size, part_size, content_type, video_id FROM uploads WHERE id = ?", uploadId),
    ).toEqual({
      protocol: "tus",
      size: 12 * MiB,
      part_size: 8 * MiB,
      content_type: "video/quicktime",
      video_id: videoId,
    });
    expect(await row("SELECT status, title FROM videos WHERE id = ?", videoId)).toEqual({
      status: "uploading",
      title: "Sea & sun ☀",
    });

    const state = await head(user, new URL(location).pathname);
    expect(state.status).toBe(200);
    expect(state.headers.get("Upload-Offset")).toBe("0");
    expect(state.headers.get("Upload-Length")).toBe(String(12 * MiB));
    expect(state.headers.get("Cache-Control")).toBe("no-store");
    expect(state.headers.get("Video-Id")).toBe(videoId);
  });

  it("takes the title from the filename and the type from its extension when the metadata leaves them out", async () => {
    const user = await registerUser();
    const { uploadId, videoId } = await created(user, MiB, { filename: "Beach day.webm" });
    expect(await row("SELECT content_type FROM uploads WHERE id = ?", uploadId)).toEqual({
      content_type: "video/webm",
    });
    expect(await row("SELECT title FROM videos WHERE id = ?", videoId)).toEqual({ title: "Beach day" });
  });

  it("answers 412 with Tus-Version without Tus-Resumable 1.0.0", async () => {
    const user = await registerUser();
    for (const version of [undefined, "0.2.2"]) {
      const res = await api(TUS, {
        method: "POST",
        as: user,
        headers: {
          "Upload-Length": "100",
          "Upload-Metadata": metadata({ filename: "a.mp4" }),
          ...(version ? { "Tus-Resumable": version } : {}),
        },
      });
      await expectTusProblem(res, 412, "tus_version_unsupported");
      expect(res.headers.get("Tus-Version")).toBe("1.0.0");
    }
  });

  it("refuses a creation without Upload-Length, with Upload-Defer-Length, or with a bad length", async () => {
    const user = await registerUser();
    const missing = await expectTusProblem(await create(user, undefined), 400, "validation_failed");
    expect(missing.invalid_params).toEqual([{ name: "Upload-Length", reason: "required" }]);
    const deferred = await expectTusProblem(
      await create(user, undefined, undefined, { "Upload-Defer-Length": "1" }),
      400,
      "validation_failed",
    );
    expect(JSON.stringify(deferred.invalid_params)).toContain("Upload-Defer-Length is not supported");
    for (const bad of ["-1", "1.5", "abc"]) {
      await expectTusProblem(
        await create(user, undefined, undefined, { "Upload-Length": bad }),
        400,
        "validation_failed",
      );
    }
  });

  it("refuses bad metadata: not base64, no filename, a duplicate key", async () => {
    const user = await registerUser();
    const headers = (value: string) => ({ ...TUS_HEADERS, "Upload-Length": "1000", "Upload-Metadata": value });
    for (const value of [
      "filename not*base64!",
      `title ${b64("x")}`,
      `filename ${b64("a.mp4")},filename ${b64("b.mp4")}`,
      `filename ${b64("")}`,
    ]) {
      const res = await api(TUS, { method: "POST", as: user, headers: headers(value) });
      await expectTusProblem(res, 400, "validation_failed");
    }
    expect(await row("SELECT count(*) AS n FROM uploads WHERE owner_id = ?", user.id)).toEqual({ n: 0 });
  });

  it("applies initiate's checks: size limit and declared format, and wants a token", async () => {
    const user = await registerUser();
    const big = await expectTusProblem(await create(user, 10 * 1024 ** 3 + 1), 400, "file_too_large");
    expect(big.max_size).toBe(10 * 1024 ** 3);
    await expectTusProblem(await create(user, 1000, { filename: "notes.txt" }), 400, "unsupported_format");
    await expectTusProblem(
      await create(user, 1000, { filename: "clip.mp4", content_type: "image/png" }),
      400,
      "unsupported_format",
    );
    await expectTusProblem(await create({}, 1000), 401, "unauthorized");
    expect(await row("SELECT count(*) AS n FROM uploads WHERE owner_id = ?", user.id)).toEqual({ n: 0 });
  });
});

describe("tus: PATCH", () => {
  it("stores a file sent in PATCHes of odd sizes byte for byte and completes it", async () => {
    const user = await registerUser();
    const file = mp4Bytes(12 * MiB + 5);
    const { path, uploadId, videoId } = await created(user, file.length, { filename: "odd.mp4", title: "Odd" });

    // 3 MiB at a time against 8 MiB parts: the offset moves with every PATCH, parts fill in between.
    const expected = [3 * MiB, 6 * MiB, 9 * MiB, 12 * MiB, file.length];
    for (const [i, end] of expected.entries()) {
      const start = i === 0 ? 0 : expected[i - 1]!;
      const res = await patch(user, path, start, file.subarray(start, end));
      expect(res.status).toBe(204);
      expect(res.headers.get("Upload-Offset")).toBe(String(end));
      expect(res.headers.get("Tus-Resumable")).toBe("1.0.0");
      expect(await offsetOf(user, path)).toBe(end);
    }

    const stored = await env.MEDIA.get(`videos/${videoId}/source/original.mp4`);
    expect(stored).not.toBeNull();
    expect(new Uint8Array(await stored!.arrayBuffer())).toEqual(file);
    expect(await row("SELECT status FROM videos WHERE id = ?", videoId)).toEqual({ status: "processing" });
    expect(await row("SELECT status FROM uploads WHERE id = ?", uploadId)).toEqual({ status: "completed" });
    expect((await env.MEDIA.list({ prefix: `uploads/${uploadId}/` })).objects).toHaveLength(0);

    // Completed: HEAD says all of it is there; another PATCH at the end changes nothing.
    expect(await offsetOf(user, path)).toBe(file.length);
    expect((await patch(user, path, file.length, new Uint8Array(0))).status).toBe(204);
  });

  it("stores a file sent in one PATCH (tus-js-client's default chunk size)", async () => {
    const user = await registerUser();
    const file = mp4Bytes(17 * MiB + 1, 3);
    const { path, videoId } = await created(user, file.length);
    const res = await patch(user, path, 0, file);
    expect(res.status).toBe(204);
    expect(res.headers.get("Upload-Offset")).toBe(String(file.length));
    const stored = await env.MEDIA.get(`videos/${videoId}/source/original.mp4`);
    expect(new Uint8Array(await stored!.arrayBuffer())).toEqual(file);
    expect(await row("SELECT status FROM videos WHERE id = ?", videoId)).toEqual({ status: "processing" });
  });

  it("falls back to the last whole part (plus the tail on record) after a connection cut mid-PATCH", async () => {
    const user = await registerUser();
    const file = mp4Bytes(20 * MiB + 77, 11);
    const { path, videoId } = await created(user, file.length);

    expect((await patch(user, path, 0, file.subarray(0, 3 * MiB))).status).toBe(204);
    // Cut before part 1 fills: the tail of the first PATCH still counts, nothing else.
    const short = cutAfter(file.subarray(3 * MiB, 5 * MiB));
    const cut1 = await patch(user, path, 3 * MiB, short, { "Content-Length": String(file.length - 3 * MiB) }).catch(
      (e: unknown) => e,
    );
    expect(cut1 instanceof Response ? cut1.status : 0).not.toBe(204);
    expect(await offsetOf(user, path)).toBe(3 * MiB);

    // Cut after part 1 filled and 1 MiB into part 2: back to the end of part 1.
    const longer = cutAfter(file.subarray(3 * MiB, 9 * MiB));
    const cut2 = await patch(user, path, 3 * MiB, longer, { "Content-Length": String(file.length - 3 * MiB) }).catch(
      (e: unknown) => e,
    );
    expect(cut2 instanceof Response ? cut2.status : 0).not.toBe(204);
    expect(await offsetOf(user, path)).toBe(8 * MiB);

    // A PATCH from anywhere else is refused; from the offset it completes.
    const wrong = await expectTusProblem(
      await patch(user, path, 9 * MiB, file.subarray(9 * MiB)),
      409,
      "offset_mismatch",
    );
    expect(wrong.expected_offset).toBe(8 * MiB);
    expect((await patch(user, path, 8 * MiB, file.subarray(8 * MiB))).status).toBe(204);
    const stored = await env.MEDIA.get(`videos/${videoId}/source/original.mp4`);
    expect(new Uint8Array(await stored!.arrayBuffer())).toEqual(file);
  });

  it("never counts a tail that R2 does not hold as it was written", async () => {
    const user = await registerUser();
    const file = mp4Bytes(12 * MiB, 5);
    const { path, uploadId, videoId } = await created(user, file.length);
    const tailKey = `uploads/${uploadId}/tus-tail`;

    expect((await patch(user, path, 0, file.subarray(0, 3 * MiB))).status).toBe(204);
    // A tail written for another end of the parts (an overlapping, older PATCH) is refused.
    await env.MEDIA.put(tailKey, file.subarray(0, 3 * MiB), { customMetadata: { start: String(8 * MiB) } });
    expect(await offsetOf(user, path)).toBe(0);

    expect((await patch(user, path, 0, file.subarray(0, 9 * MiB))).status).toBe(204);
    expect(await offsetOf(user, path)).toBe(9 * MiB);
    // A lost tail object: back to the end of part 1.
    await env.MEDIA.delete(tailKey);
    expect(await offsetOf(user, path)).toBe(8 * MiB);

    expect((await patch(user, path, 8 * MiB, file.subarray(8 * MiB))).status).toBe(204);
    const stored = await env.MEDIA.get(`videos/${videoId}/source/original.mp4`);
    expect(new Uint8Array(await stored!.arrayBuffer())).toEqual(file);
  });

  it("refuses a wrong offset, content type, length, or version and changes nothing", async () => {
    const user = await registerUser();
    const file = mp4Bytes(6 * MiB);
    const { path } = await created(user, file.length);
    expect((await patch(user, path, 0, file.subarray(0, MiB))).status).toBe(204);

    await expectTusProblem(await patch(user, path, 0, file.subarray(0, MiB)), 409, "offset_mismatch");
    await expectTusProblem(await patch(user, path, 2 * MiB, file.subarray(2 * MiB)), 409, "offset_mismatch");
    await expectTusProblem(
      await patch(user, path, MiB, file.subarray(MiB), { "Content-Type": "application/octet-stream" }),
      415,
      "unsupported_media_type",
    );
    await expectTusProblem(await patch(user, path, MiB, mp4Bytes(6 * MiB)), 400, "validation_failed");
    await expectTusProblem(
      await patch(user, path, MiB, file.subarray(MiB), { "Upload-Offset": "x" }),
      400,
      "validation_failed",
    );
    await expectTusProblem(
      await patch(user, path, MiB, file.subarray(MiB), { "Tus-Resumable": "" }),
      412,
      "tus_version_unsupported",
    );
    expect(await offsetOf(user, path)).toBe(MiB);
  });

  it("accepts PATCH sent as POST with X-HTTP-Method-Override", async () => {
    const user = await registerUser();
    const file = mp4Bytes(MiB);
    const { path, videoId } = await created(user, file.length);
    const res = await api(path, {
      method: "POST",
      as: user,
      body: file,
      headers: {
        ...TUS_HEADERS,
        "X-HTTP-Method-Override": "PATCH",
        "Upload-Offset": "0",
        "Content-Type": "application/offset+octet-stream",
        "Content-Length": String(file.length),
      },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get("Upload-Offset")).toBe(String(file.length));
    expect(await row("SELECT status FROM videos WHERE id = ?", videoId)).toEqual({ status: "processing" });
  });

  it("turns away a renamed PNG from its first bytes, even when they come in a tiny first PATCH, and drops the upload", async () => {
    const user = await registerUser();
    const bytes = new Uint8Array(9 * MiB).fill(0x41);
    bytes.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0x49, 0x48, 0x44, 0x52]);
    const { path, uploadId, videoId } = await created(user, bytes.length, { filename: "cat.mp4" });
    // 100 bytes are too few to judge: they wait as the tail.
    expect((await patch(user, path, 0, bytes.subarray(0, 100))).status).toBe(204);
    await expectTusProblem(await patch(user, path, 100, bytes.subarray(100, 3 * MiB)), 400, "unsupported_format");
    await expectNothingLeft(uploadId, videoId);
    expectHeadStatus(await head(user, path), 404);
  });
});

describe("tus: ownership, termination, expiration", () => {
  it("lets only the uploader HEAD, PATCH or DELETE", async () => {
    const owner = await registerUser();
    const other = await registerUser();
    const { path } = await created(owner, MiB);
    expectHeadStatus(await head(other, path), 403);
    await expectTusProblem(await patch(other, path, 0, mp4Bytes(MiB)), 403, "forbidden");
    await expectTusProblem(await api(path, { method: "DELETE", as: other, headers: TUS_HEADERS }), 403, "forbidden");
    expectHeadStatus(await head({}, path), 401);
    expect(await offsetOf(owner, path)).toBe(0);
    expectHeadStatus(await head(owner, `${TUS}/doesnotexist`), 404);
  });

  it("answers 404 for an upload of the chunk protocol", async () => {
    const user = await registerUser();
    const res = await api("/api/v1/videos/upload/initiate", {
      method: "POST",
      as: user,
      json: { filename: "clip.mp4", size: MiB, content_type: "video/mp4", title: "Chunked" },
    });
    const { upload_id } = (await res.json()) as { upload_id: string };
    expectHeadStatus(await head(user, `${TUS}/${upload_id}`), 404);
  });

  it("terminates on DELETE: nothing of the upload stays in R2 or D1", async () => {
    const user = await registerUser();
    const file = mp4Bytes(12 * MiB);
    const { path, uploadId, videoId } = await created(user, file.length);
    expect((await patch(user, path, 0, file.subarray(0, 9 * MiB))).status).toBe(204);
    expect((await env.MEDIA.list({ prefix: `uploads/${uploadId}/` })).objects).toHaveLength(1);

    const res = await api(path, { method: "DELETE", as: user, headers: TUS_HEADERS });
    expect(res.status).toBe(204);
    expect(res.headers.get("Tus-Resumable")).toBe("1.0.0");
    await expectNothingLeft(uploadId, videoId);
    expectHeadStatus(await head(user, path), 404);
    await expectTusProblem(await patch(user, path, 9 * MiB, file.subarray(9 * MiB)), 404, "not_found");
  });

  it("answers 410 Gone for an expired upload", async () => {
    const user = await registerUser();
    const { path, uploadId } = await created(user, MiB);
    await env.DB.prepare("UPDATE uploads SET expires_at = ? WHERE id = ?")
      .bind(Date.now() - 1000, uploadId)
      .run();
    expectHeadStatus(await head(user, path), 410);
    await expectTusProblem(await patch(user, path, 0, mp4Bytes(MiB)), 410, "upload_gone");
  });
});
