import { describe, expect, it } from "vitest";
import { preferredTrack } from "../../web/client/_captions";

describe("the player's default captions", () => {
  it("turn on the track of the browser's first language that any track serves", () => {
    const tracks = ["en", "pt-BR", "fr-CA"];
    expect(preferredTrack(tracks, ["pt-BR", "en"])).toBe(1);
    expect(preferredTrack(tracks, ["pt-PT", "en"])).toBe(1);
    expect(preferredTrack(tracks, ["de", "fr"])).toBe(2);
    expect(preferredTrack(tracks, ["EN-us"])).toBe(0);
    expect(preferredTrack(tracks, ["de", "ja"])).toBe(-1);
    expect(preferredTrack([], ["en"])).toBe(-1);
  });
});
