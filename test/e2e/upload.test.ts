import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testVideo } from "../../transcoder/test/clips.ts";
import { type Stack, startStack } from "./stack";

const require = createRequire(import.meta.url);
const ffmpeg: string = process.env.FFMPEG_PATH ?? require("@ffmpeg-installer/ffmpeg").path;
const root = path.resolve(import.meta.dirname, "../..");
const node = path.join(root, "node_modules/.bin/node");
const wrangler = path.join(root, "node_modules/wrangler/bin/wrangler.js");

let stack: Stack;
let work: string;
let token: string;

/** Runs the upload CLI; `until` may end it early (SIGKILL) once its output matches. */
function runCli(file: string, until?: RegExp): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(
      node,
      [
        "--experimental-strip-types",
        "--no-warnings",
        "scripts/upload.ts",
        file,
        "--title",
        "E2E upload",
        "--api",
        stack.url,
      ],
      {
        cwd: root,
        env: { ...process.env, CLOUDTUBE_TOKEN: token, CLOUDTUBE_STATE_DIR: work },
      },
    );
    let out = "";
    const take = (d: Buffer) => {
      out += d;
      if (until?.test(out) && child.exitCode === null) child.kill("SIGKILL");
    };
    child.stdout.on("data", take);
    child.stderr.on("data", take);
    child.on("exit", (code) => resolve({ code, out }));
  });
}

describe("upload on the running stack", () => {
  beforeAll(async () => {
    work = mkdtempSync(path.join(tmpdir(), "e2e-upload-"));
    stack = await startStack();
    const res = await fetch(`${stack.url}/api/v1/auth/register`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({
        email: `up${Date.now()}@example.com`,
        username: `up${Date.now()}`,
        password: "a long password",
      }),
    });
    expect(res.status).toBe(201);
    token = ((await res.json()) as { token: string }).token;
  });
  afterAll(async () => {
    await stack?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it("uploads a 20 MB video with the CLI, survives being killed mid-way, resumes, and stores it byte-identical", async () => {
    const file = path.join(work, "clip.mp4");
    const codec = ["-preset", "ultrafast", "-b:v", "11M", "-maxrate", "11M", "-bufsize", "4M"];
    const made = spawnSync(ffmpeg, [
      "-hide_banner",
      "-loglevel",
      "error",
      "-y",
      ...testVideo("1280x720", 14, [], codec),
      file,
    ]);
    expect(made.status, String(made.stderr)).toBe(0);
    const size = statSync(file).size;
    expect(size).toBeGreaterThan(17_000_000);
    expect(size).toBeLessThan(25_000_000);

    // First run: killed as soon as part 1 is acknowledged (part 2 is then in flight or done).
    const first = await runCli(file, /part 1\/3 sent/);
    expect(first.code).not.toBe(0);
    expect(first.out).toContain("part 1/3 sent");
    expect(first.out).not.toContain("uploaded:");

    // Second run: asks the server what arrived and sends only the rest.
    const second = await runCli(file);
    expect(second.code, second.out).toBe(0);
    const resumed = /resuming upload (\w+): (\d) of 3 parts already there/.exec(second.out);
    expect(resumed, second.out).not.toBeNull();
    const already = Number(resumed![2]);
    expect(already).toBeGreaterThanOrEqual(1);
    expect(second.out.match(/part \d\/3 sent/g)).toHaveLength(3 - already);
    const videoId = /uploaded: video (\w+) is processing/.exec(second.out)![1]!;
    const uploadId = resumed![1]!;

    const auth = { Authorization: `Bearer ${token}` };
    const state = (await (await fetch(`${stack.url}/api/v1/videos/upload/${uploadId}`, { headers: auth })).json()) as {
      status: string;
      received_bytes: number;
    };
    expect(state).toMatchObject({ status: "completed", received_bytes: size });

    // Completing again answers the same and starts nothing new.
    const again = await fetch(`${stack.url}/api/v1/videos/upload/${uploadId}/complete`, {
      method: "POST",
      headers: auth,
    });
    expect(again.status).toBe(202);
    expect(await again.json()).toEqual({ video_id: videoId, status: "processing" });

    // The object in the stack's local R2 is the file, byte for byte.
    const stored = stack.storedObject(`videos/${videoId}/source/original.mp4`);
    expect(Buffer.compare(stored, readFileSync(file))).toBe(0);

    // The video-upload message reached its consumer exactly once.
    let rows: { video_id: string; attempts: number }[] = [];
    for (let i = 0; i < 40 && !rows.length; i++) {
      const query = spawnSync(
        node,
        [
          wrangler,
          "d1",
          "execute",
          "DB",
          "--local",
          "--persist-to",
          stack.persistDir,
          "--json",
          "--command",
          `SELECT video_id, attempts FROM transcode_jobs WHERE video_id = '${videoId}'`,
        ],
        {
          cwd: root,
          encoding: "utf8",
        },
      );
      rows = (JSON.parse(query.stdout) as { results: typeof rows }[])[0]!.results;
      if (!rows.length) await new Promise((r) => setTimeout(r, 500));
    }
    expect(rows).toHaveLength(1);
    expect(rows[0]!.attempts).toBeGreaterThanOrEqual(1);
  });

  it("turns a non-video away with a clear message and a non-zero exit", async () => {
    const file = path.join(work, "notes.mp4");
    require("node:fs").writeFileSync(file, "these are my notes, not a video\n".repeat(1000));
    const run = await runCli(file);
    expect(run.code).toBe(1);
    expect(run.out).toMatch(/upload refused: .*\(unsupported_format, HTTP 400\)/);
  });
});
