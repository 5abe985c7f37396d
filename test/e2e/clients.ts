import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import path from "node:path";
import { expect } from "vitest";
import WebSocket from "ws";
import { testVideo } from "../../transcoder/test/clips.ts";

const require = createRequire(import.meta.url);
export const ffmpeg: string = process.env.FFMPEG_PATH ?? require("@ffmpeg-installer/ffmpeg").path;

export interface Account {
  id: string;
  username: string;
  token: string;
}

/**
 * fetch, sent again once when it fails on a pooled connection that the server closed while
 * it sat idle (a test spends seconds making a clip): it failed before any answer, so the
 * request never arrived, and browsers send it again too.
 */
export async function send(url: string, init?: RequestInit): Promise<Response> {
  try {
    return await fetch(url, init);
  } catch (err) {
    if ((err as { cause?: { code?: string } }).cause?.code !== "UND_ERR_SOCKET") throw err;
    return fetch(url, init);
  }
}

/** The URIs a playlist names: variants after `#EXT-X-STREAM-INF`, an init section, segments. */
function playlistUris(text: string): string[] {
  return text.split("\n").flatMap((raw) => {
    const line = raw.trim();
    const map = line.startsWith("#EXT-X-MAP:") ? /URI="([^"]+)"/.exec(line)?.[1] : undefined;
    if (map) return [map];
    return line && !line.startsWith("#") ? [line] : [];
  });
}

/**
 * Plays an HLS URL to the end the way a player fetches it: the master, every variant's
 * playlist, its init section and each segment, all over HTTP from the Worker (any answer but
 * 200 fails the play), then each variant's bytes decoded with ffmpeg. The decode reads the
 * fetched bytes from a file: the static ffmpeg npm installs (a 2018 build) cannot demux
 * fMP4 with audio and video in one fragment over HTTP ("partial file"), which Chromium
 * (test/e2e/playback.test.ts) and Debian's ffmpeg 5.1 play.
 */
export async function playHls(url: string): Promise<{ status: number | null; stderr: string }> {
  const dir = mkdtempSync(path.join(tmpdir(), "play-hls-"));
  const get = async (target: string) => {
    const res = await send(target);
    if (res.status !== 200) throw new Error(`GET ${target}: ${res.status}`);
    return Buffer.from(await res.arrayBuffer());
  };
  try {
    const top = (await get(url)).toString();
    const variants = top.includes("#EXT-X-STREAM-INF") ? playlistUris(top).map((u) => new URL(u, url).href) : [url];
    for (const [i, variant] of variants.entries()) {
      const playlist = (await get(variant)).toString();
      const parts = [];
      for (const uri of playlistUris(playlist)) parts.push(await get(new URL(uri, variant).href));
      const file = path.join(dir, `variant-${i}${playlist.includes("#EXT-X-MAP") ? ".mp4" : ".ts"}`);
      writeFileSync(file, Buffer.concat(parts));
      const decoded = spawnSync(
        ffmpeg,
        ["-v", "error", "-i", file, "-max_muxing_queue_size", "4096", "-f", "null", "-"],
        {
          encoding: "utf8",
        },
      );
      if (decoded.status !== 0 || decoded.stderr.trim()) {
        return { status: decoded.status, stderr: `${variant}: ${decoded.stderr}` };
      }
    }
    return { status: 0, stderr: "" };
  } catch (err) {
    return { status: 1, stderr: String(err) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A client of the running stack at `base`, the way an app would call it. */
export function client(base: string) {
  async function call<T>(who: Account | undefined, pathname: string, init: RequestInit = {}): Promise<T> {
    const res = await send(`${base}${pathname}`, {
      ...init,
      headers: {
        ...(who ? { Authorization: `Bearer ${who.token}` } : {}),
        ...(typeof init.body === "string" ? { "Content-Type": "application/json" } : {}),
      },
    });
    if (!res.ok) throw new Error(`${init.method ?? "GET"} ${pathname}: ${res.status} ${await res.text()}`);
    return (res.status === 204 ? undefined : await res.json()) as T;
  }

  async function register(): Promise<Account> {
    const n = `${Date.now()}${Math.floor(Math.random() * 1e6)}`;
    const body = { email: `e${n}@example.com`, username: `e${n}`, password: "a long password" };
    const out = await call<{ user: Account; token: string }>(undefined, "/api/v1/auth/register", {
      method: "POST",
      body: JSON.stringify(body),
    });
    return { id: out.user.id, username: out.user.username, token: out.token };
  }

  /** Uploads a file through the chunk protocol and completes it; answers the video id. */
  async function upload(
    owner: Account,
    file: string,
    fields: { title: string; visibility?: string; category?: string },
  ): Promise<string> {
    const bytes = readFileSync(file);
    const init = await call<{ upload_id: string; video_id: string; part_size: number }>(
      owner,
      "/api/v1/videos/upload/initiate",
      {
        method: "POST",
        body: JSON.stringify({ filename: "clip.mp4", size: bytes.length, content_type: "video/mp4", ...fields }),
      },
    );
    for (let part = 1, at = 0; at < bytes.length; part++, at += init.part_size) {
      const body = new Uint8Array(bytes.subarray(at, at + init.part_size));
      await call(owner, `/api/v1/videos/upload/${init.upload_id}/chunk?part=${part}`, { method: "PUT", body });
    }
    await call(owner, `/api/v1/videos/upload/${init.upload_id}/complete`, { method: "POST", body: "{}" });
    return init.video_id;
  }

  async function waitReady(owner: Account, videoId: string): Promise<void> {
    for (let i = 0; i < 600; i++) {
      const s = await call<{ status: string }>(owner, `/api/v1/videos/${videoId}/status`);
      if (s.status === "ready") return;
      if (s.status === "failed") throw new Error("processing failed");
      await new Promise((r) => setTimeout(r, 300));
    }
    throw new Error("not ready in time");
  }

  /** Joins a video's live room as a browser would (token in the query). */
  async function join(videoId: string, who?: Account) {
    const query = who ? `?access_token=${who.token}` : "";
    const socket = new WebSocket(`${base.replace(/^http/, "ws")}/api/v1/videos/${videoId}/live${query}`);
    const messages: Record<string, any>[] = [];
    socket.on("message", (data) => {
      messages.push(JSON.parse(String(data)));
    });
    await new Promise((resolve, reject) => {
      socket.once("open", resolve);
      socket.once("error", reject);
    });
    let seen = 0;
    return {
      socket,
      messages,
      /** The next message of `type` (after the last one returned) that matches. */
      async next(type: string, match: (m: Record<string, any>) => boolean = () => true, timeoutMs = 20_000) {
        for (const start = Date.now(); Date.now() - start < timeoutMs; ) {
          const index = messages.findIndex((m, i) => i >= seen && m.type === type && match(m));
          if (index >= 0) {
            seen = index + 1;
            return messages[index]!;
          }
          await new Promise((r) => setTimeout(r, 20));
        }
        throw new Error(`no ${type} message within ${timeoutMs} ms; got ${JSON.stringify(messages.slice(-5))}`);
      },
    };
  }

  return { call, register, upload, waitReady, join };
}

/** A generated test clip (testsrc2 + a tone), H.264/AAC in MP4. */
export function makeClip(file: string, seconds: number, size = "640x360") {
  const made = spawnSync(ffmpeg, ["-hide_banner", "-loglevel", "error", "-y", ...testVideo(size, seconds), file]);
  expect(made.status, String(made.stderr)).toBe(0);
}
