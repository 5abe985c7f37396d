import { describe, expect, it } from "vitest";
import { declaredFormatProblem, SNIFF_BYTES, sniffContainer } from "../../workers/services/media-format";

const bytes = (length: number, set: Record<number, number | string>) => {
  const out = new Uint8Array(length);
  for (const [at, value] of Object.entries(set)) {
    const data = typeof value === "string" ? new TextEncoder().encode(value) : [value];
    out.set(data, Number(at));
  }
  return out;
};

describe("container sniffing", () => {
  it.each([
    ["mp4", bytes(SNIFF_BYTES, { 4: "ftypisom" })],
    ["mp4", bytes(SNIFF_BYTES, { 4: "moov" })],
    ["matroska", bytes(SNIFF_BYTES, { 0: 0x1a, 1: 0x45, 2: 0xdf, 3: 0xa3 })],
    ["avi", bytes(SNIFF_BYTES, { 0: "RIFF", 8: "AVI " })],
    ["mpegts", bytes(SNIFF_BYTES, { 0: 0x47, 188: 0x47 })],
    ["mpegts", bytes(SNIFF_BYTES, { 4: 0x47, 196: 0x47 })],
    ["mpegps", bytes(SNIFF_BYTES, { 2: 1, 3: 0xba })],
    ["flv", bytes(SNIFF_BYTES, { 0: "FLV" })],
    ["ogg", bytes(SNIFF_BYTES, { 0: "OggS" })],
  ])("recognises %s", (container, head) => {
    expect(sniffContainer(head)).toBe(container);
  });

  it.each([
    ["text", new TextEncoder().encode("hello, this is not a video at all".padEnd(SNIFF_BYTES, "."))],
    ["png", bytes(SNIFF_BYTES, { 0: 0x89, 1: "PNG\r\n\x1a\n" })],
    ["a lone TS sync byte", bytes(SNIFF_BYTES, { 0: 0x47 })],
    ["an M2TS-like head that does not repeat", bytes(SNIFF_BYTES, { 4: 0x47 })],
    ["too short to tell", bytes(8, { 4: 0x47 })],
  ])("refuses %s", (_what, head) => {
    expect(sniffContainer(head)).toBeNull();
  });

  it("checks extension and declared type together", () => {
    expect(declaredFormatProblem("a.MP4", "video/mp4")).toBeNull();
    expect(declaredFormatProblem("a.mkv", "application/octet-stream")).toBeNull();
    expect(declaredFormatProblem("a.gif", "image/gif")).toMatch(/extension/);
    expect(declaredFormatProblem("a.mp4", "text/html")).toMatch(/content type/);
  });
});
