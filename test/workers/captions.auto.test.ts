import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import worker from "../../workers/index";
import { autoCaptionsOnReady } from "../../workers/services/auto-captions";
import type { WhisperAi, WhisperInput } from "../../workers/transcribers/whisper";
import { autoCaptionDeps, databaseOf } from "../../workers/wiring/deps";
import { transcriberFromEnv } from "../../workers/wiring/transcriber";
import { signIn } from "./browser-fixtures";
import { api, expectProblem, processingVideo, readyVideo, registerUser, type TestUser, waitFor } from "./fixtures";
import { join } from "./room-client";
import { speech, stubTranscoder } from "./transcoder-stub";

stubTranscoder();

/** What the transcoder's engine "hears": two phrases with a pause between them. */
const SEGMENTS = [
  {
    start: 0.5,
    end: 1.6,
    text: "hello world",
    words: [
      { text: "hello", start: 0.5, end: 0.9 },
      { text: "world", start: 1.0, end: 1.6 },
    ],
  },
  {
    start: 4,
    end: 5.2,
    text: "please open the door",
    words: [
      { text: "please", start: 4, end: 4.3 },
      { text: "open", start: 4.3, end: 4.6 },
      { text: "the", start: 4.6, end: 4.7 },
      { text: "door", start: 4.7, end: 5.2 },
    ],
  },
];

const generate = (as: TestUser | undefined, videoId: string, body: unknown = {}) =>
  api(`/api/v1/videos/${videoId}/captions/generate`, { method: "POST", as, json: body });

const tracks = async (videoId: string, as?: TestUser) =>
  ((await (await api(`/api/v1/videos/${videoId}/captions`, { as })).json()) as { items: Record<string, any>[] }).items;

const notifications = async (user: TestUser) =>
  ((await (await api("/api/v1/users/me/notifications", { as: user })).json()) as { items: Record<string, any>[] })
    .items;

async function setLanguage(owner: TestUser, videoId: string, language: string) {
  const res = await api(`/api/v1/videos/${videoId}`, { method: "PATCH", as: owner, json: { language } });
  expect(res.status).toBe(200);
}

/** Delivers one `captions` (or `captions-dlq`) message the way the runtime would. */
async function deliver(queue: "captions" | "captions-dlq", body: unknown) {
  const batch = createMessageBatch(queue, [{ id: `c${Math.random()}`, timestamp: Date.now(), attempts: 1, body }]);
  const ctx = createExecutionContext();
  await worker.queue(batch, env, ctx);
  return getQueueResult(batch, ctx);
}

/** The transcription requests made for one video (other tests' consumers may still run). */
const asked = (videoId: string) => speech.requests.filter((r) => r.video_id === videoId);

/** The owner's own English track, uploaded through the API. */
const uploadMine = (owner: TestUser, videoId: string) =>
  api(`/api/v1/videos/${videoId}/captions/en`, {
    method: "PUT",
    as: owner,
    headers: { "Content-Type": "text/vtt" },
    body: "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nMine\n",
  });

const ready = (videoId: string, language = "en") =>
  waitFor(async () => {
    const track = (await tracks(videoId)).find((t) => t.language === language);
    return track?.status === "ready" || track?.status === "failed" ? track : undefined;
  }, "the auto track to settle");

describe("POST /videos/{id}/captions/generate: who may, and when", () => {
  it("is the owner's: 401 signed out, 403 for another user, 404 for another's private video", async () => {
    const owner = await registerUser();
    const { videoId } = await readyVideo(owner);
    await expectProblem(await generate(undefined, videoId, { language: "en" }), 401, "unauthorized");
    await expectProblem(await generate(await registerUser(), videoId, { language: "en" }), 403, "forbidden");
    const { videoId: hidden } = await readyVideo(owner, "private");
    await expectProblem(await generate(await registerUser(), hidden, { language: "en" }), 404, "not_found");
    await expectProblem(await generate(owner, "nope_not_a_video"), 404, "not_found");
    expect(await tracks(videoId)).toEqual([]);
    expect(speech.requests).toEqual([]);
  });

  it("is rate limited: 20 requests an hour per user, then 429", async () => {
    const owner = await registerUser();
    const { videoId } = await readyVideo(owner);
    const caller = await registerUser();
    for (let i = 0; i < 20; i++) {
      expect((await generate(caller, videoId, { language: "en" })).status).toBe(403);
    }
    const limited = await generate(caller, videoId, { language: "en" });
    await expectProblem(limited, 429, "rate_limited");
    expect(limited.headers.get("Retry-After")).toBeTruthy();
  });

  it("checks the language as uploads do: a BCP 47 tag, else the video's own; neither is 400", async () => {
    const owner = await registerUser();
    const { videoId } = await readyVideo(owner);
    await expectProblem(await generate(owner, videoId, {}), 400, "validation_failed");
    await expectProblem(await generate(owner, videoId, { language: "not a tag!" }), 400, "validation_failed");
    await expectProblem(await generate(owner, videoId, { language: "x".repeat(36) }), 400, "validation_failed");
    await expectProblem(await generate(owner, videoId, { language: "en", extra: 1 }), 400, "validation_failed");
    expect(await tracks(videoId)).toEqual([]);
  });

  it("answers 503 captions_unavailable where the transcoder has no engine, or none for the language", async () => {
    const owner = await registerUser();
    const { videoId } = await readyVideo(owner);
    speech.info = { engine: null, languages: [], chunks: true };
    const none = await generate(owner, videoId, { language: "en" });
    await expectProblem(none, 503, "captions_unavailable");
    speech.info = { engine: "pocketsphinx", languages: ["en"], chunks: true };
    const french = await generate(owner, videoId, { language: "fr" });
    expect(french.status).toBe(503);
    expect(((await french.json()) as { detail: string }).detail).toMatch(/knows en only/);
    expect(await tracks(videoId)).toEqual([]);
  });

  it("answers 409 before the video is ready, and where captions were uploaded for the language", async () => {
    const owner = await registerUser();
    const { videoId: early } = await processingVideo(owner);
    await expectProblem(await generate(owner, early, { language: "en" }), 409, "not_ready");
    const { videoId } = await readyVideo(owner);
    const upload = await uploadMine(owner, videoId);
    expect(upload.status).toBe(200);
    await expectProblem(await generate(owner, videoId, { language: "en" }), 409, "captions_exist");
    expect(await tracks(videoId)).toMatchObject([{ language: "en", source: "uploaded", status: "ready" }]);
  });
});

describe("auto captions through the captions queue", () => {
  it("202, processing, then ready: stored as WebVTT, in the master, the transcript and search; the owner notified", async () => {
    const owner = await registerUser();
    const { videoId } = await readyVideo(owner);
    await setLanguage(owner, videoId, "en-us");
    speech.segments = SEGMENTS;
    const res = await generate(owner, videoId);
    expect(res.status).toBe(202);
    // The row is processing before the consumer has run (the language is the video's own).
    const listed = await tracks(videoId);
    expect(listed).toEqual([expect.objectContaining({ language: "en-US", label: "American English", source: "auto" })]);
    if (listed[0]?.status === "processing") expect(listed[0].url).toBeNull();

    const track = await ready(videoId, "en-US");
    expect(track).toMatchObject({ source: "auto", status: "ready" });
    expect(asked(videoId)).toHaveLength(1);
    expect(asked(videoId)[0]).toMatchObject({ video_id: videoId, language: "en-US", mode: "words" });
    // The source URL is the signed internal one, which the transcoder can read.
    const source = new URL(asked(videoId)[0]!.source_url);
    expect(source.pathname).toBe(`/internal/v1/videos/${videoId}/source`);
    expect((await api(`${source.pathname}${source.search}`)).status).not.toBe(403);

    const vtt = await (await api(new URL(track.url).pathname)).text();
    expect(vtt).toBe(
      "WEBVTT\n\n00:00:00.500 --> 00:00:01.600\nhello world\n\n00:00:04.000 --> 00:00:05.200\nplease open the door\n",
    );
    const master = await (await api(`/videos/${videoId}/master.m3u8`)).text();
    expect(master).toMatch(/#EXT-X-MEDIA:TYPE=SUBTITLES,[^\n]*LANGUAGE="en-US"/);
    const transcript = (await (await api(`/api/v1/videos/${videoId}/transcript`)).json()) as Record<string, any>;
    expect(transcript).toEqual({
      language: "en-US",
      cues: [
        { start: 0.5, end: 1.6, text: "hello world" },
        { start: 4, end: 5.2, text: "please open the door" },
      ],
    });
    const search = (await (await api("/api/v1/search?q=door")).json()) as { items: Record<string, any>[] };
    expect(search.items.find((v) => v.id === videoId)?.moments?.[0]).toMatchObject({ start: 4 });

    const notes = await waitFor(async () => {
      const items = (await notifications(owner)).filter((n) => n.type === "captions_ready");
      return items.length ? items : undefined;
    }, "the captions_ready notification");
    expect(notes).toEqual([expect.objectContaining({ type: "captions_ready", video_id: videoId })]);
  });

  it("from the studio: a Generate captions form on a ready video; the owner's post queues it, another's is refused", async () => {
    const owner = await registerUser();
    const { videoId } = await readyVideo(owner);
    speech.segments = SEGMENTS;
    const studio = await signIn(owner);
    const page = await (await studio.get("/studio")).text();
    expect(page).toContain(`action="/studio/${videoId}/captions/generate"`);
    expect(page).toContain("Generate captions");

    const other = await signIn(await registerUser());
    expect((await other.post(`/studio/${videoId}/captions/generate`, { language: "en" })).status).toBe(403);
    expect((await studio.post(`/studio/${videoId}/captions/generate`, { language: "not a tag" })).status).toBe(400);
    expect(await tracks(videoId)).toEqual([]);

    const posted = await studio.post(`/studio/${videoId}/captions/generate`, { language: "en" });
    expect(posted.status).toBe(303);
    expect(posted.headers.get("Location")).toMatch(/^\/studio\?notice=Captions%20are%20being%20made/);
    expect(await ready(videoId)).toMatchObject({ language: "en", source: "auto", status: "ready" });
    expect(asked(videoId)).toHaveLength(1);
  });

  it("tells the video's live room: processing, then ready", async () => {
    const owner = await registerUser();
    const { videoId } = await readyVideo(owner);
    speech.segments = SEGMENTS;
    const page = await join(videoId, owner);
    expect((await generate(owner, videoId, { language: "en" })).status).toBe(202);
    const expected = { type: "captions", video_id: videoId, source: "auto", language: "en" };
    expect(await page.next("captions", (m) => m.status === "processing")).toEqual({
      ...expected,
      status: "processing",
    });
    expect(await page.next("captions", (m) => m.status === "ready")).toEqual({ ...expected, status: "ready" });
    page.socket.close();
  });

  it("does the work once: asking again, and the message again, add no track, no request, no notification", async () => {
    const owner = await registerUser();
    const { videoId } = await readyVideo(owner);
    speech.segments = SEGMENTS;
    expect((await generate(owner, videoId, { language: "en" })).status).toBe(202);
    expect((await generate(owner, videoId, { language: "en" })).status).toBe(202);
    const first = await ready(videoId);
    expect(asked(videoId)).toHaveLength(1);
    // The queue delivers a message again (at least once): nothing more happens.
    await deliver("captions", { video_id: videoId, language: "en" });
    expect(asked(videoId)).toHaveLength(1);
    expect(await tracks(videoId)).toEqual([first]);
    expect((await notifications(owner)).filter((n) => n.type === "captions_ready")).toHaveLength(1);
    // One version of the track's cues in the captions database, the one its row names.
    const key = await env.DB.prepare("SELECT cues_key FROM captions WHERE video_id = ?")
      .bind(videoId)
      .first("cues_key");
    const stored = await env.CAPTIONS.prepare(
      `SELECT (SELECT count(*) FROM caption_tracks WHERE video_id = ?1) AS versions,
         (SELECT count(*) FROM caption_cues WHERE track = ?2) AS cues`,
    )
      .bind(videoId, key)
      .first();
    expect(stored).toEqual({ versions: 1, cues: 2 });
  });

  it("never replaces an uploaded track: a file uploaded while the transcription waits wins", async () => {
    const owner = await registerUser();
    const { videoId } = await readyVideo(owner);
    speech.segments = SEGMENTS;
    // Hold the engine until the upload has landed.
    let release!: () => void;
    const held = new Promise<void>((r) => {
      release = r;
    });
    speech.answer = async () => {
      await held;
      return Response.json({ duration: 10, segments: SEGMENTS });
    };
    expect((await generate(owner, videoId, { language: "en" })).status).toBe(202);
    await waitFor(async () => asked(videoId).length > 0, "the transcription request");
    const upload = await uploadMine(owner, videoId);
    expect(upload.status).toBe(200);
    release();
    await new Promise((r) => setTimeout(r, 1500));
    const [track] = await tracks(videoId);
    expect(track).toMatchObject({ source: "uploaded", status: "ready" });
    expect(await (await api(new URL(track!.url).pathname)).text()).toBe(
      "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nMine\n",
    );
    const transcript = (await (await api(`/api/v1/videos/${videoId}/transcript`)).json()) as Record<string, any>;
    expect(transcript.cues).toEqual([{ start: 1, end: 2, text: "Mine" }]);
    // The transcription's version of the cues, written before it found the upload there, is gone.
    const versions = await env.CAPTIONS.prepare("SELECT count(*) AS n FROM caption_tracks WHERE video_id = ?")
      .bind(videoId)
      .first("n");
    expect(versions).toBe(1);
  });

  it("fails a track with no speech in it, and one whose retries are spent (the dead-letter queue)", async () => {
    const owner = await registerUser();
    const { videoId } = await readyVideo(owner);
    speech.segments = [];
    expect((await generate(owner, videoId, { language: "en" })).status).toBe(202);
    expect(await ready(videoId)).toMatchObject({ source: "auto", status: "failed", url: null });
    expect((await notifications(owner)).filter((n) => n.type === "captions_ready")).toEqual([]);
    await expectProblem(await api(`/api/v1/videos/${videoId}/transcript?language=en`), 404, "not_found");

    // Asked again once it failed, with speech this time: it is transcribed anew.
    speech.segments = SEGMENTS;
    expect((await generate(owner, videoId, { language: "en" })).status).toBe(202);
    expect(await ready(videoId)).toMatchObject({ source: "auto", status: "ready" });
    // And a ready auto track that comes out silent on a new request fails, its files gone.
    const old = (await tracks(videoId))[0]!.url as string;
    speech.segments = [];
    expect((await generate(owner, videoId, { language: "en" })).status).toBe(202);
    expect(await ready(videoId)).toMatchObject({ status: "failed", url: null });
    expect((await api(new URL(old).pathname)).status).toBe(404);
    // Its cues too: the failed track names no version, and none is left in the captions database.
    const versions = await env.CAPTIONS.prepare("SELECT count(*) AS n FROM caption_tracks WHERE video_id = ?")
      .bind(videoId)
      .first("n");
    expect(versions).toBe(0);

    // The engine breaks every time: the queue retries, then the dead-letter consumer ends it.
    speech.answer = () => Response.json({ code: "transcription_failed" }, { status: 500 });
    const { videoId: other } = await readyVideo(owner);
    expect((await generate(owner, other, { language: "en" })).status).toBe(202);
    await waitFor(async () => asked(other).length > 0, "a transcription attempt");
    const result = await deliver("captions", { video_id: other, language: "en" });
    expect(result.retryMessages).toHaveLength(1);
    await deliver("captions-dlq", { video_id: other, language: "en" });
    expect(await tracks(other)).toEqual([expect.objectContaining({ source: "auto", status: "failed", url: null })]);
  });

  it("with AUTO_CAPTIONS, a ready video with a language is queued once; without a language or the setting, not", async () => {
    const owner = await registerUser();
    const { videoId } = await readyVideo(owner);
    speech.segments = SEGMENTS;
    const db = databaseOf(env);
    const on = { ...autoCaptionDeps(env, db), config: { ...autoCaptionDeps(env, db).config, autoCaptions: true } };
    // No language declared: nothing to transcribe into.
    await autoCaptionsOnReady(on, videoId);
    expect(await tracks(videoId)).toEqual([]);
    await setLanguage(owner, videoId, "en");
    // The setting off (as in wrangler.toml): nothing either.
    await autoCaptionsOnReady(autoCaptionDeps(env, db), videoId);
    expect(await tracks(videoId)).toEqual([]);
    await autoCaptionsOnReady(on, videoId);
    expect(await ready(videoId)).toMatchObject({ source: "auto", status: "ready" });
    // The video-ready message again: the language has a track, so nothing starts over.
    await autoCaptionsOnReady(on, videoId);
    await new Promise((r) => setTimeout(r, 500));
    expect(asked(videoId)).toHaveLength(1);
  });
});

describe("the production transcriber's wiring (TRANSCRIBER=workers-ai)", () => {
  const RIFF = Uint8Array.from([82, 73, 70, 70, 36, 0, 0, 0, 87, 65, 86, 69]);
  const putChunk = (base: string, query: string, name: string, body: Uint8Array) =>
    exports.default.fetch(new Request(`${base}/${name}?${query}`, { method: "PUT", body }));

  it("has the transcoder cut chunks into R2 through the signed audio URL; Whisper reads them; they are removed", async () => {
    const owner = await registerUser();
    const { videoId } = await readyVideo(owner);
    speech.answer = async (request) => {
      expect(request).toMatchObject({ video_id: videoId, language: "en-GB", mode: "chunks" });
      const output = request.output!;
      expect(new URL(output.base_url).pathname).toBe(`/internal/v1/videos/${videoId}/audio`);
      // The side door takes chunk names only, within 2 MB, and only with its own signature.
      expect((await putChunk(output.base_url, output.query, "chunk_00000.wav", RIFF)).status).toBe(201);
      await expectProblem(await putChunk(output.base_url, output.query, "master.m3u8", RIFF), 400, "validation_failed");
      await expectProblem(
        await putChunk(output.base_url, output.query, "chunk_00001.wav", new Uint8Array(2 * 1024 * 1024 + 1)),
        413,
        "object_too_large",
      );
      await expectProblem(
        await putChunk(output.base_url, output.query.replace(/sig=[^&]+/, "sig=forged"), "chunk_00002.wav", RIFF),
        403,
        "invalid_signature",
      );
      const sourceScoped = new URL(request.source_url).search.slice(1);
      await expectProblem(
        await putChunk(output.base_url, sourceScoped, "chunk_00003.wav", RIFF),
        403,
        "invalid_signature",
      );
      return Response.json({ duration: 40, chunks: [{ path: "chunk_00000.wav", start: 12.5, duration: 20 }] });
    };
    const inputs: WhisperInput[] = [];
    const ai: WhisperAi = {
      run: async (_model, input) => {
        inputs.push(input);
        return {
          text: " Hi.",
          segments: [
            {
              start: 0,
              end: 1,
              text: " Hi.",
              avg_logprob: -0.1,
              no_speech_prob: 0.02,
              words: [{ word: " Hi.", start: 0.25, end: 0.75 }],
            },
          ],
        };
      },
    };
    const transcriber = transcriberFromEnv({ ...env, TRANSCRIBER: "workers-ai", AI: ai } as unknown as Env, videoId);
    expect(await transcriber.unavailable("en-GB")).toBeNull();
    const segments = await transcriber.transcribe(videoId, "en-GB");
    expect(segments).toEqual([
      { start: 12.5, end: 13.5, text: "Hi.", words: [{ text: "Hi.", start: 12.75, end: 13.25 }] },
    ]);
    expect(inputs).toHaveLength(1);
    expect(inputs[0]).toMatchObject({ language: "en" });
    expect(Uint8Array.from(atob(inputs[0]!.audio as string), (c) => c.charCodeAt(0))).toEqual(RIFF);
    expect((await env.MEDIA.list({ prefix: `videos/${videoId}/audio/` })).objects).toEqual([]);
  });

  it("is none without the AI binding or with TRANSCRIBER=none: generation answers 503", async () => {
    const unbound = transcriberFromEnv({ ...env, TRANSCRIBER: "workers-ai", AI: undefined } as unknown as Env, "v");
    expect(await unbound.unavailable("en")).toMatch(/No transcription engine/);
    const none = transcriberFromEnv({ ...env, TRANSCRIBER: "none" } as unknown as Env, "v");
    expect(await none.unavailable("en")).toMatch(/No transcription engine/);
  });
});
