// The transcoder inside its built Container image (Debian's ffmpeg, a non-root user, a
// read-only root filesystem), behind the real stack. `npm run container:test` builds the
// image and runs this file with CONTAINER_IMAGE set (and DOCKER_HOST at the engine it
// started); CI does so. Without CONTAINER_IMAGE the file is skipped, saying why.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testVideo } from "../../transcoder/test/clips.ts";
import { type Account, client, ffmpeg, makeClip, playHls } from "./clients";
import { freePort, type Stack, startStack } from "./stack";
import { docker, runTranscoderImage, secondsUntilRunning } from "./transcoder";

const image = process.env.CONTAINER_IMAGE;
if (!image) {
  console.warn(
    "[container e2e] skipped: CONTAINER_IMAGE is not set (npm run container:test builds the image and runs it)",
  );
}

/** What the image's own HEALTHCHECK says, polled until it has an answer. */
async function health(name: string, want: string, timeoutMs = 60_000): Promise<string> {
  let status = "";
  for (const deadline = Date.now() + timeoutMs; Date.now() < deadline; ) {
    status = docker("inspect", "-f", "{{.State.Health.Status}}", name);
    if (status === want) return status;
    await new Promise((r) => setTimeout(r, 500));
  }
  return status;
}

/** The clip ffmpeg makes from `args`, in `work`. */
function made(work: string, name: string, args: string[]): string {
  const file = path.join(work, name);
  const run = spawnSync(ffmpeg, ["-hide_banner", "-loglevel", "error", "-y", ...args, file], { encoding: "utf8" });
  if (run.status !== 0) throw new Error(run.stderr);
  return file;
}

describe.skipIf(!image)("the transcoder inside its Container image", () => {
  let stack: Stack;
  let name: string;
  let transcoderUrl: string;
  let work: string;
  let owner: Account;
  let api: ReturnType<typeof client>;

  beforeAll(async () => {
    work = mkdtempSync(path.join(tmpdir(), "e2e-container-"));
    const port = await freePort();
    name = `cloudtube-e2e-transcoder-${port}`;
    transcoderUrl = `http://127.0.0.1:${port}`;
    runTranscoderImage(image!, port, name);
    stack = await startStack({}, { transcoderUrl });
    api = client(stack.url);
    owner = await api.register();
  });

  afterAll(async () => {
    await stack?.stop();
    if (name) spawnSync("docker", ["rm", "--force", "--volumes", name]);
    if (work) rmSync(work, { recursive: true, force: true });
  });

  /** Polls a video's status until it ends. */
  async function finished(videoId: string, onStatus?: (s: Record<string, any>) => Promise<void>) {
    for (const deadline = Date.now() + 240_000; Date.now() < deadline; ) {
      const s = await api.call<Record<string, any>>(owner, `/api/v1/videos/${videoId}/status`);
      await onStatus?.(s);
      if (s.status === "ready" || s.status === "failed") return s;
      await new Promise((r) => setTimeout(r, 250));
    }
    throw new Error(`${videoId} did not finish`);
  }

  /** Every variant of the video's master plays to the end: fetched over HTTP, decoded by ffmpeg. */
  async function expectDecodes(videoId: string) {
    const master = await (await fetch(`${stack.url}/videos/${videoId}/master.m3u8`)).text();
    const variants = master.split("\n").filter((l) => l.endsWith(".m3u8"));
    expect(variants.length).toBeGreaterThan(1);
    for (const variant of variants) {
      const decode = await playHls(`${stack.url}/videos/${videoId}/${variant}`);
      expect(decode.status, `${variant}: ${decode.stderr}`).toBe(0);
    }
    return master;
  }

  it("runs as an unprivileged user on a read-only root filesystem, healthy on the PORT it is given", async () => {
    expect(await health(name, "healthy")).toBe("healthy");
    expect(docker("exec", name, "id", "-u")).not.toBe("0");
    expect(docker("inspect", "-f", "{{.HostConfig.ReadonlyRootfs}}", name)).toBe("true");
    const written = spawnSync("docker", ["exec", name, "touch", "/app/x"], { encoding: "utf8" });
    expect(written.status).not.toBe(0);
    expect(await (await fetch(`${transcoderUrl}/health`)).json()).toMatchObject({ ok: true });
  });

  it("takes a rotated phone video with audio to ready with Debian's ffmpeg; every rendition decodes", async () => {
    const landscape = made(work, "phone.mp4", testVideo("640x360", 6));
    // Held upright: the picture is stored landscape with a 90 degree rotation to display.
    const phone = made(work, "phone-rotated.mp4", ["-i", landscape, "-c", "copy", "-metadata:s:v:0", "rotate=90"]);
    const videoId = await api.upload(owner, phone, { title: "Phone video" });
    expect(await finished(videoId)).toMatchObject({ status: "ready", playable: true });
    const page = await api.call<{ width: number; height: number; duration: number }>(
      owner,
      `/api/v1/videos/${videoId}`,
    );
    expect([page.width, page.height]).toEqual([360, 640]);
    expect(page.duration).toBeCloseTo(6, 0);
    const master = await expectDecodes(videoId);
    // Portrait renditions, and audio in every video one.
    for (const [, w, h] of master.matchAll(/RESOLUTION=(\d+)x(\d+)/g)) expect(Number(h)).toBeGreaterThan(Number(w));
    expect(master).toContain("mp4a.40.2");
    // The scratch folder is empty once the job is over.
    expect(docker("exec", name, "ls", "-A", "/scratch")).toBe("");
  });

  it("fails an MP4 cut off before its index as malformed_video", async () => {
    const whole = readFileSync(
      made(work, "whole.mp4", ["-f", "lavfi", "-i", "testsrc2=size=320x240:rate=30", "-t", "3", "-c:v", "libx264"]),
    );
    const cut = path.join(work, "cut.mp4");
    writeFileSync(cut, whole.subarray(0, Math.floor(whole.length * 0.6)));
    const videoId = await api.upload(owner, cut, { title: "Interrupted copy" });
    expect(await finished(videoId)).toMatchObject({ status: "failed", error: { code: "malformed_video" } });
  });

  it("dispatches again within 30 s a job whose container was killed mid-way, and finishes it", async () => {
    const file = path.join(work, "long.mp4");
    makeClip(file, 20, "1280x720");
    const videoId = await api.upload(owner, file, { title: "Killed container" });
    let resumedAfter = Number.NaN;
    const last = await finished(videoId, async (s) => {
      if (!Number.isNaN(resumedAfter) || s.stage !== "transcoding" || !(s.progress > 0)) return;
      docker("kill", name);
      const killedAt = Date.now();
      // The platform starts a stopped Container on the next request; here the test does.
      docker("start", name);
      resumedAfter = await secondsUntilRunning(transcoderUrl, videoId, killedAt);
    });
    console.log(`[e2e] job dispatched again ${resumedAfter.toFixed(1)} s after the container was killed`);
    expect(resumedAfter).toBeLessThan(30);
    expect(last).toMatchObject({ status: "ready", playable: true });
    await expectDecodes(videoId);
  });
});
