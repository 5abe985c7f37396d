import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import {
  api,
  expectProblem,
  initiate,
  MASTER,
  processingVideo,
  readyVideo,
  registerUser,
  rendition,
  type TestUser,
} from "./fixtures";
import goodSrt from "./fixtures/captions/good.srt?raw";
import goodVtt from "./fixtures/captions/good.vtt?raw";
import { putMedia, sendEvent, stubTranscoder } from "./transcoder-stub";

stubTranscoder();

const SRT = "application/x-subrip";
const VTT = "text/vtt";

function put(user: TestUser, videoId: string, language: string, body: BodyInit, type = VTT, query = "") {
  return api(`/api/v1/videos/${videoId}/captions/${language}${query}`, {
    method: "PUT",
    as: user,
    headers: { "Content-Type": type },
    body,
  });
}

const json = async (res: Response) => {
  expect(res.status).toBe(200);
  return (await res.json()) as Record<string, any>;
};
const media = (url: string, as?: TestUser) => {
  const u = new URL(url);
  return api(`${u.pathname}${u.search}`, { as });
};

async function moderator(): Promise<TestUser> {
  const user = await registerUser();
  await env.DB.prepare("UPDATE users SET role = 'moderator' WHERE id = ?").bind(user.id).run();
  return user;
}

describe("captions: upload, list, replace, delete", () => {
  it("stores a WebVTT track: listed, in the video's metadata, served as WebVTT", async () => {
    const owner = await registerUser();
    const { videoId } = await readyVideo(owner);
    const track = await json(await put(owner, videoId, "en", goodVtt));
    expect(track).toEqual({
      language: "en",
      label: "English",
      source: "uploaded",
      status: "ready",
      url: expect.stringMatching(
        new RegExp(`^http://cloudtube.test/videos/${videoId}/captions/en/[0-9a-f]{16}\\.vtt$`),
      ),
    });
    expect((await json(await api(`/api/v1/videos/${videoId}/captions`))).items).toEqual([track]);
    const page = await json(await api(`/api/v1/videos/${videoId}`));
    expect(page.captions).toEqual([track]);

    const file = await media(track.url);
    expect(file.status).toBe(200);
    expect(file.headers.get("Content-Type")).toMatch(/^text\/vtt/);
    expect(file.headers.get("Access-Control-Allow-Origin")).toBe("*");
    expect(await file.text()).toBe(
      "WEBVTT\n\n00:00:01.000 --> 00:00:02.500\nHello <b>there</b>\n\n" +
        "00:00:03.000 --> 00:00:05.000 align:start\n<v Ana>Sourdough needs patience</v>\n",
    );
  });

  it("converts SRT to WebVTT cue for cue: times, lines, allowed tags, escapes", async () => {
    const owner = await registerUser();
    const { videoId } = await readyVideo(owner);
    const track = await json(await put(owner, videoId, "pt-br", goodSrt, SRT, "?label=Portugu%C3%AAs"));
    expect(track).toMatchObject({ language: "pt-BR", label: "Português" });
    expect(await (await media(track.url)).text()).toBe(
      "WEBVTT\n\n" +
        "00:00:01.000 --> 00:00:02.500\nThe first <i>line</i>\nand its second line\n\n" +
        "00:00:02.500 --> 00:00:04.000\nYellow words &amp; more\n\n" +
        "00:00:04.200 --> 00:00:06.000\nOn top\n",
    );
    const transcript = await json(await api(`/api/v1/videos/${videoId}/transcript?language=pt-BR`));
    expect(transcript).toEqual({
      language: "pt-BR",
      cues: [
        { start: 1, end: 2.5, text: "The first line and its second line" },
        { start: 2.5, end: 4, text: "Yellow words & more" },
        { start: 4.2, end: 6, text: "On top" },
      ],
    });
  });

  it("replacing is idempotent: the same file keeps its URL; another file replaces the old one's", async () => {
    const owner = await registerUser();
    const { videoId } = await readyVideo(owner);
    const first = await json(await put(owner, videoId, "en", goodVtt));
    const again = await json(await put(owner, videoId, "en", goodVtt));
    expect(again).toEqual(first);
    const relabelled = await json(await put(owner, videoId, "en", goodVtt, VTT, "?label=English%20(CC)"));
    expect(relabelled).toEqual({ ...first, label: "English (CC)" });

    const other = await json(await put(owner, videoId, "en", goodSrt, SRT));
    expect(other.url).not.toBe(first.url);
    expect(other.label).toBe("English (CC)");
    expect((await media(first.url)).status).toBe(404);
    expect((await media(other.url)).status).toBe(200);
    const list = await json(await api(`/api/v1/videos/${videoId}/captions`));
    expect(list.items).toHaveLength(1);
    const transcript = await json(await api(`/api/v1/videos/${videoId}/transcript`));
    expect(transcript.cues).toHaveLength(3);
  });

  it("delete removes the track, its files and its transcript; a second delete is 404", async () => {
    const owner = await registerUser();
    const { videoId } = await readyVideo(owner);
    const track = await json(await put(owner, videoId, "en", goodVtt));
    await json(await put(owner, videoId, "fr", goodVtt));
    const del = await api(`/api/v1/videos/${videoId}/captions/en`, { method: "DELETE", as: owner });
    expect(del.status).toBe(204);
    expect((await media(track.url)).status).toBe(404);
    expect((await json(await api(`/api/v1/videos/${videoId}/captions`))).items.map((t: any) => t.language)).toEqual([
      "fr",
    ]);
    await expectProblem(await api(`/api/v1/videos/${videoId}/transcript?language=en`), 404, "not_found");
    const again = await api(`/api/v1/videos/${videoId}/captions/en`, { method: "DELETE", as: owner });
    await expectProblem(again, 404, "not_found");
    const stranger = await registerUser();
    const theirs = await api(`/api/v1/videos/${videoId}/captions/fr`, { method: "DELETE", as: stranger });
    await expectProblem(theirs, 403, "forbidden");
  });
});

describe("a video's language", () => {
  it("is set at upload and edit as a canonical BCP 47 tag, and picks the default transcript", async () => {
    const owner = await registerUser();
    const init = await initiate(owner, { language: "fr-ca" });
    expect(init.res.status).toBe(201);
    const uploaded = await json(await api(`/api/v1/videos/${init.body.video_id}`, { as: owner }));
    expect(uploaded.language).toBe("fr-CA");
    const bad = await initiate(owner, { language: "not a tag" });
    expect(bad.res.status).toBe(400);

    const { videoId } = await readyVideo(owner);
    expect((await json(await api(`/api/v1/videos/${videoId}`))).language).toBeNull();
    const edit = (language: unknown) =>
      api(`/api/v1/videos/${videoId}`, { method: "PATCH", as: owner, json: { language } });
    expect((await json(await edit("pt-br"))).language).toBe("pt-BR");
    await expectProblem(await edit("en_GB"), 400, "validation_failed");
    await json(await put(owner, videoId, "en", goodVtt));
    await json(await put(owner, videoId, "pt-BR", goodSrt, SRT));
    expect((await json(await api(`/api/v1/videos/${videoId}/transcript`))).language).toBe("pt-BR");
    expect((await json(await edit(null))).language).toBeNull();
    expect((await json(await api(`/api/v1/videos/${videoId}/transcript`))).language).toBe("en");
  });
});

describe("captions: HLS", () => {
  it("the master gains a SUBTITLES group; its subtitle playlist is segmented WebVTT with X-TIMESTAMP-MAP", async () => {
    const owner = await registerUser();
    const { videoId } = await readyVideo(owner);
    // The master as it was, now in the edge cache: a caption change must purge it.
    const before = await api(`/videos/${videoId}/master.m3u8`);
    expect(await before.text()).toBe(MASTER);
    // Changed behind the cache's back, the cached copy is still what is served...
    const changed = `${MASTER}## rewritten in R2\n`;
    await env.MEDIA.put(`videos/${videoId}/media/master.m3u8`, changed);
    expect(await (await api(`/videos/${videoId}/master.m3u8`)).text()).toBe(MASTER);
    // ...until a caption change rewrites the master and purges it.
    await json(await put(owner, videoId, "en", goodVtt));
    await json(await put(owner, videoId, "pt-BR", goodSrt, SRT));

    const master = await (await api(`/videos/${videoId}/master.m3u8`)).text();
    expect(master).toContain("## rewritten in R2");
    const lines = master.split("\n");
    const subs = lines.filter((l) => l.startsWith("#EXT-X-MEDIA:TYPE=SUBTITLES"));
    expect(subs).toHaveLength(2);
    expect(subs[0]).toMatch(
      /^#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID="subs",NAME="English",LANGUAGE="en",DEFAULT=NO,AUTOSELECT=YES,FORCED=NO,URI="captions\/en\/[0-9a-f]{16}\/index\.m3u8"$/,
    );
    expect(subs[1]).toMatch(/NAME="Português \(Brasil\)",LANGUAGE="pt-BR"/);
    // Before the variants, and every variant names the group.
    expect(lines.findIndex((l) => l.startsWith("#EXT-X-MEDIA"))).toBeLessThan(
      lines.findIndex((l) => l.startsWith("#EXT-X-STREAM-INF")),
    );
    for (const inf of lines.filter((l) => l.startsWith("#EXT-X-STREAM-INF"))) expect(inf).toMatch(/,SUBTITLES="subs"$/);

    const uri = /URI="([^"]+)"/.exec(subs[0] ?? "")?.[1];
    const playlist = await api(`/videos/${videoId}/${uri}`);
    expect(playlist.headers.get("Content-Type")).toBe("application/vnd.apple.mpegurl");
    expect(await playlist.text()).toBe(
      "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:30\n#EXT-X-MEDIA-SEQUENCE:0\n#EXT-X-PLAYLIST-TYPE:VOD\n" +
        "#EXTINF:8.000,\nseg_00000.vtt\n#EXT-X-ENDLIST\n",
    );
    const segment = await api(`/videos/${videoId}/${uri?.replace("index.m3u8", "seg_00000.vtt")}`);
    expect(await segment.text()).toBe(
      "WEBVTT\nX-TIMESTAMP-MAP=MPEGTS:126000,LOCAL:00:00:00.000\n\n" +
        "00:00:01.000 --> 00:00:02.500\nHello <b>there</b>\n\n" +
        "00:00:03.000 --> 00:00:05.000 align:start\n<v Ana>Sourdough needs patience</v>\n",
    );

    // Removing every track removes the group, and the cached master is purged again.
    for (const language of ["en", "pt-BR"]) {
      expect(
        (await api(`/api/v1/videos/${videoId}/captions/${language}`, { method: "DELETE", as: owner })).status,
      ).toBe(204);
    }
    expect(await (await api(`/videos/${videoId}/master.m3u8`)).text()).toBe(changed);
  });

  it("captions sent while the video processes are in the final master the transcoder writes", async () => {
    const owner = await registerUser();
    const { videoId, job } = await processingVideo(owner);
    expect((await putMedia(job, "master.m3u8", MASTER, "application/vnd.apple.mpegurl")).status).toBe(201);
    // The duration is not known yet: no bound on the cues.
    await json(await put(owner, videoId, "en", goodVtt));
    expect(
      await (await api(`/videos/${videoId}/master.m3u8`, { headers: { "Cache-Control": "no-cache" } })).text(),
    ).toContain("TYPE=SUBTITLES");
    // The transcoder's final master knows nothing of captions; completion adds them again.
    expect((await putMedia(job, "master.m3u8", MASTER, "application/vnd.apple.mpegurl")).status).toBe(201);
    const done = await sendEvent(job, {
      type: "completed",
      metadata: { duration: 8, width: 256, height: 144 },
      renditions: [rendition("144p", 144)],
    });
    expect(done.status).toBe(204);
    const master = await (
      await api(`/videos/${videoId}/master.m3u8`, { headers: { "Cache-Control": "no-cache" } })
    ).text();
    expect(master).toMatch(/TYPE=SUBTITLES,GROUP-ID="subs",NAME="English",LANGUAGE="en"/);
    expect(master).toContain(',SUBTITLES="subs"');
  });

  it("a cue across a segment boundary is in both segments", async () => {
    const { subtitleTrack } = await import("../../workers/services/caption-hls");
    const cue = (start: number, end: number, text: string) => ({ start, end, settings: "", payload: text, text });
    const files = subtitleTrack(
      [cue(1000, 2000, "a"), cue(29_000, 31_000, "across"), cue(45_000, 46_000, "b")],
      61_000,
      "fmp4",
    );
    expect(files.segments.map((s) => s.name)).toEqual(["seg_00000.vtt", "seg_00001.vtt", "seg_00002.vtt"]);
    expect(files.segments[0]?.body).toContain("across");
    expect(files.segments[1]?.body).toContain("across");
    expect(files.segments[1]?.body).toContain("MPEGTS:0,");
    expect(files.segments[2]?.body).toBe("WEBVTT\nX-TIMESTAMP-MAP=MPEGTS:0,LOCAL:00:00:00.000\n\n");
    expect(files.playlist).toContain(
      "#EXTINF:30.000,\nseg_00000.vtt\n#EXTINF:30.000,\nseg_00001.vtt\n#EXTINF:1.000,\nseg_00002.vtt",
    );
  });
});

describe("captions: privacy", () => {
  it("a private video's captions are its owner's alone, through signed URLs", async () => {
    const owner = await registerUser();
    const { videoId } = await readyVideo(owner, "private");
    const track = await json(await put(owner, videoId, "en", goodVtt));
    // Unsigned, the file is refused to everyone, as the segments are.
    expect((await media(track.url)).status).toBe(404);
    const stranger = await registerUser();
    await expectProblem(await api(`/api/v1/videos/${videoId}/captions`, { as: stranger }), 404, "not_found");
    await expectProblem(await api(`/api/v1/videos/${videoId}/transcript`, { as: stranger }), 404, "not_found");
    await expectProblem(await api(`/api/v1/videos/${videoId}/captions`), 404, "not_found");

    const mine = await json(await api(`/api/v1/videos/${videoId}/captions`, { as: owner }));
    const signed = mine.items[0].url as string;
    expect(signed).toMatch(/\.vtt\?token=/);
    const file = await media(signed);
    expect(file.status).toBe(200);
    expect(await file.text()).toContain("Sourdough needs patience");
    const page = await json(await api(`/api/v1/videos/${videoId}`, { as: owner }));
    expect(page.captions[0].url).toMatch(/\?token=/);
    // The signed master's subtitle playlist carries the token down too.
    const master = await (await media(page.hls_url)).text();
    expect(master).toMatch(/URI="captions\/en\/[0-9a-f]{16}\/index\.m3u8\?token=/);
  });

  it("a blocked video's captions answer 451 to others", async () => {
    const owner = await registerUser();
    const { videoId } = await readyVideo(owner);
    const track = await json(await put(owner, videoId, "en", goodVtt));
    const mod = await moderator();
    const block = await api(`/api/v1/moderation/videos/${videoId}/block`, {
      method: "POST",
      as: mod,
      json: { reason: "test" },
    });
    expect(block.status).toBe(200);
    await expectProblem(await media(track.url), 451, "video_blocked");
    await expectProblem(await api(`/api/v1/videos/${videoId}/captions`), 451, "video_blocked");
    await expectProblem(await api(`/api/v1/videos/${videoId}/transcript`), 451, "video_blocked");
  });
});
