import { describe, expect, it } from "vitest";
import { api, expectProblem, readyVideo, registerUser, type TestUser } from "./fixtures";
import badTimestampSrt from "./fixtures/captions/bad-timestamp.srt?raw";
import badTimestampVtt from "./fixtures/captions/bad-timestamp.vtt?raw";
import beyondDuration from "./fixtures/captions/beyond-duration.vtt?raw";
import binaryVtt from "./fixtures/captions/binary.vtt?raw";
import endBeforeStart from "./fixtures/captions/end-before-start.srt?raw";
import good from "./fixtures/captions/good.vtt?raw";
import missingBlankLine from "./fixtures/captions/missing-blank-line.vtt?raw";
import missingHeader from "./fixtures/captions/missing-header.vtt?raw";
import overlapping from "./fixtures/captions/overlapping.srt?raw";
import scriptTags from "./fixtures/captions/script-tags.vtt?raw";
import strayText from "./fixtures/captions/stray-text.srt?raw";
import { stubTranscoder } from "./transcoder-stub";

stubTranscoder();

const SRT = "application/x-subrip";
const VTT = "text/vtt";

function put(user: TestUser | undefined, videoId: string, language: string, body: BodyInit, type = VTT, query = "") {
  return api(`/api/v1/videos/${videoId}/captions/${language}${query}`, {
    method: "PUT",
    as: user,
    headers: { "Content-Type": type },
    body,
  });
}

let shared: Promise<{ owner: TestUser; videoId: string }> | undefined;
/** One ready video (8 s long) for the files that must be refused: none of them changes it. */
const video = () => {
  shared ??= (async () => {
    const owner = await registerUser();
    const { videoId } = await readyVideo(owner);
    return { owner, videoId };
  })();
  return shared;
};

async function expectInvalid(res: Response, line: number, reason: RegExp) {
  const body = await expectProblem(res, 400, "invalid_captions");
  expect(body.line).toBe(line);
  expect(body.reason).toMatch(reason);
  expect(body.detail).toContain(`line ${line}`);
}

describe("captions: files that are refused, each naming its line and reason", () => {
  it("a WebVTT timestamp with two-digit milliseconds", async () => {
    const { owner, videoId } = await video();
    await expectInvalid(await put(owner, videoId, "en", badTimestampVtt), 6, /three digits/i);
  });

  it("an SRT timestamp that is not one", async () => {
    const { owner, videoId } = await video();
    await expectInvalid(await put(owner, videoId, "en", badTimestampSrt, SRT), 6, /end time "00:0x:04,000"/);
  });

  it("a cue that ends before it starts", async () => {
    const { owner, videoId } = await video();
    await expectInvalid(await put(owner, videoId, "en", endBeforeStart, SRT), 6, /not greater than start/i);
  });

  it("a WebVTT file without its header", async () => {
    const { owner, videoId } = await video();
    await expectInvalid(await put(owner, videoId, "en", missingHeader), 1, /WEBVTT/);
  });

  it("a cue without the blank line before it", async () => {
    const { owner, videoId } = await video();
    await expectInvalid(await put(owner, videoId, "en", missingBlankLine), 5, /blank line/i);
  });

  it("stray text between SRT cues", async () => {
    const { owner, videoId } = await video();
    await expectInvalid(await put(owner, videoId, "en", strayText, SRT), 5, /expected a cue number or a timing line/);
  });

  it("a cue past the video's end plus a second (the video is 8 s)", async () => {
    const { owner, videoId } = await video();
    await expectInvalid(await put(owner, videoId, "en", beyondDuration), 6, /after the video's end \(00:00:08\.000\)/);
  });

  it("binary data: control characters, and bytes that are not UTF-8", async () => {
    const { owner, videoId } = await video();
    await expectInvalid(await put(owner, videoId, "en", binaryVtt), 4, /binary/);
    const latin1 = new Uint8Array([...new TextEncoder().encode("1\n00:00:01,000 --> 00:00:02,000\ncaf"), 0xe9, 0x0a]);
    await expectInvalid(await put(owner, videoId, "en", latin1, SRT), 3, /UTF-8/);
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]);
    await expectInvalid(await put(owner, videoId, "en", png, "application/octet-stream"), 1, /UTF-8|binary/);
  });

  it("an empty file, and one with no cues", async () => {
    const { owner, videoId } = await video();
    await expectInvalid(await put(owner, videoId, "en", "", SRT), 1, /no cues/);
    await expectInvalid(await put(owner, videoId, "en", "WEBVTT\n\nNOTE nothing here\n"), 1, /no cues/);
  });

  it("a file over 2 MB: 413 file_too_large, declared or not", async () => {
    const { owner, videoId } = await video();
    const cue =
      "00:00:01.000 --> 00:00:02.000\nxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n\n";
    const big = `WEBVTT\n\n${cue.repeat(Math.ceil((2 * 1024 * 1024) / cue.length) + 1)}`;
    const body = await expectProblem(await put(owner, videoId, "en", big), 413, "file_too_large");
    expect(body.max_size).toBe(2 * 1024 * 1024);
    // Streamed without a length: refused once it passes the limit.
    const bytes = new TextEncoder().encode(big);
    const stream = new ReadableStream({
      start(controller) {
        for (let i = 0; i < bytes.length; i += 65_536) controller.enqueue(bytes.subarray(i, i + 65_536));
        controller.close();
      },
    });
    await expectProblem(await put(owner, videoId, "en", stream), 413, "file_too_large");
  });

  it("a type that is no caption file: 415", async () => {
    const { owner, videoId } = await video();
    await expectProblem(await put(owner, videoId, "en", good, "image/png"), 415, "unsupported_media_type");
  });

  it("a language that is no BCP 47 tag", async () => {
    const { owner, videoId } = await video();
    for (const tag of ["en-", "e", "en_US", "123", "x", "toolonglanguagetag"]) {
      await expectProblem(await put(owner, videoId, tag, good), 400, "validation_failed");
    }
  });

  it("a label that is not one line", async () => {
    const { owner, videoId } = await video();
    await expectProblem(await put(owner, videoId, "en", good, VTT, "?label=%22quoted%22"), 400, "validation_failed");
    await expectProblem(await put(owner, videoId, "en", good, VTT, "?label=a%0Ab"), 400, "validation_failed");
  });

  it("none of the refusals stored a track", async () => {
    const { videoId } = await video();
    const list = (await (await api(`/api/v1/videos/${videoId}/captions`)).json()) as { items: unknown[] };
    expect(list.items).toEqual([]);
  });

  it("someone else's video: 403; anonymous: 401; no such video: 404", async () => {
    const { videoId } = await video();
    const stranger = await registerUser();
    await expectProblem(await put(stranger, videoId, "en", good), 403, "forbidden");
    await expectProblem(await put(undefined, videoId, "en", good), 401, "unauthorized");
    await expectProblem(await put(stranger, "nosuchvideo", "en", good), 404, "not_found");
  });
});

describe("captions: files that are repaired, not refused", () => {
  it("script and unknown tags are removed, their text kept as text; allowed tags stay", async () => {
    const owner = await registerUser();
    const { videoId } = await readyVideo(owner);
    const res = await put(owner, videoId, "en", scriptTags);
    expect(res.status).toBe(200);
    const track = (await res.json()) as { url: string };
    const vtt = await (await api(new URL(track.url).pathname)).text();
    expect(vtt).not.toMatch(/<script|<img|<span|onerror/);
    expect(vtt).toContain('Safe alert("x") <i>kept</i> <u>under</u> <c.loud>class</c> <lang fr>oui</lang>');
    expect(vtt).toContain("<ruby>漢<rt>kan</rt></ruby> gone");
    const transcript = (await (await api(`/api/v1/videos/${videoId}/transcript?language=en`)).json()) as any;
    expect(transcript.cues[0].text).toBe('Safe alert("x") kept under class oui 漢 gone');
  });

  it("overlapping and out-of-order cues are kept, sorted by start", async () => {
    const owner = await registerUser();
    const { videoId } = await readyVideo(owner);
    expect((await put(owner, videoId, "en", overlapping, SRT)).status).toBe(200);
    const transcript = (await (await api(`/api/v1/videos/${videoId}/transcript?language=en`)).json()) as any;
    expect(transcript.cues).toEqual([
      { start: 0.5, end: 1.5, text: "Out of order" },
      { start: 1, end: 4, text: "First speaker" },
      { start: 2, end: 3, text: "Second speaker at once" },
    ]);
  });
});
