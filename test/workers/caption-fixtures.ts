import { expect } from "vitest";
import { api, type TestUser } from "./fixtures";

/** A made-up word, written nowhere else, for a search to find only where a test put it. */
export const word = () => `zq${Math.random().toString(36).slice(2, 8)}`;

/** A WebVTT file of cues given as [start s, end s, text] (times under a minute). */
export const vtt = (...cues: [number, number, string][]) =>
  `WEBVTT\n\n${cues
    .map(([s, e, t]) => `00:00:${String(s).padStart(2, "0")}.000 --> 00:00:${String(e).padStart(2, "0")}.000\n${t}`)
    .join("\n\n")}\n`;

/** Uploads `body` as the video's track in `language` through the API (200 expected). */
export async function caption(user: TestUser, videoId: string, body: string, language = "en") {
  const res = await api(`/api/v1/videos/${videoId}/captions/${language}`, {
    method: "PUT",
    as: user,
    headers: { "Content-Type": "text/vtt" },
    body,
  });
  expect(res.status).toBe(200);
}
