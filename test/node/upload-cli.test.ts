import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { backoffMs, failure, ProblemError, RetryableError, withRetries } from "../../scripts/upload/retry.ts";
import { missingParts, UploadState } from "../../scripts/upload/state.ts";

describe("upload CLI: retries", () => {
  it("backs off exponentially with jitter, capped", () => {
    expect(backoffMs(0, 500, 30_000, () => 0)).toBe(250);
    expect(backoffMs(0, 500, 30_000, () => 1)).toBe(500);
    expect(backoffMs(3, 500, 30_000, () => 1)).toBe(4000);
    expect(backoffMs(20, 500, 30_000, () => 1)).toBe(30_000);
  });

  it("retries network errors, 5xx and 429 (honouring Retry-After), never a 4xx problem", async () => {
    const waits: number[] = [];
    let calls = 0;
    const result = await withRetries(
      async () => {
        calls++;
        if (calls === 1) throw new TypeError("fetch failed");
        if (calls === 2) throw await failure(new Response("{}", { status: 503 }), "part 1");
        if (calls === 3)
          throw await failure(new Response("{}", { status: 429, headers: { "Retry-After": "7" } }), "part 1");
        return "ok";
      },
      { sleep: async (ms) => void waits.push(ms) },
    );
    expect(result).toBe("ok");
    expect(calls).toBe(4);
    expect(waits[2]).toBe(7000);

    let tries = 0;
    const refused = withRetries(
      async () => {
        tries++;
        throw await failure(
          new Response(JSON.stringify({ code: "bad_part_size", detail: "Part 1 must be exactly 8 bytes" }), {
            status: 400,
          }),
          "part 1",
        );
      },
      { sleep: async () => {} },
    );
    await expect(refused).rejects.toBeInstanceOf(ProblemError);
    await expect(refused).rejects.toMatchObject({ code: "bad_part_size", message: "Part 1 must be exactly 8 bytes" });
    expect(tries).toBe(1);
  });

  it("gives up after the last attempt", async () => {
    let tries = 0;
    const task = withRetries(
      async () => {
        tries++;
        throw new RetryableError("down");
      },
      { attempts: 3, sleep: async () => {} },
    );
    await expect(task).rejects.toThrow("down");
    expect(tries).toBe(3);
  });
});

describe("upload CLI: resume state", () => {
  it("remembers an upload per file version and forgets it when done", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "cli-state-"));
    try {
      const state = new UploadState(dir);
      const key = UploadState.keyOf("http://api", "clip.mp4", 100, 5);
      expect(state.get(key)).toBeUndefined();
      state.set(key, "U1");
      expect(new UploadState(dir).get(key)).toBe("U1");
      expect(new UploadState(dir).get(UploadState.keyOf("http://api", "clip.mp4", 101, 5))).toBeUndefined();
      state.set(key, undefined);
      expect(new UploadState(dir).get(key)).toBeUndefined();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("sends only the parts that are missing or of the wrong size", () => {
    const size = (n: number) => (n < 4 ? 10 : 3);
    expect(missingParts(4, [], size)).toEqual([1, 2, 3, 4]);
    expect(
      missingParts(
        4,
        [
          { part: 1, size: 10 },
          { part: 3, size: 10 },
        ],
        size,
      ),
    ).toEqual([2, 4]);
    expect(
      missingParts(
        4,
        [
          { part: 1, size: 9 },
          { part: 2, size: 10 },
          { part: 3, size: 10 },
          { part: 4, size: 3 },
        ],
        size,
      ),
    ).toEqual([1]);
  });
});
