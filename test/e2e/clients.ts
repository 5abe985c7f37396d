import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
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
