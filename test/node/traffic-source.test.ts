import { describe, expect, it } from "vitest";
import { trafficSource } from "../../web/client/_source";

const origin = "https://tube.example";

describe("the player's traffic source", () => {
  it("is the playlist beside the video, else the page of this site the viewer came from, else external or direct", () => {
    expect(trafficSource("?list=PL123", `${origin}/search?q=cats`, origin)).toBe("playlist");
    expect(trafficSource("", `${origin}/`, origin)).toBe("home");
    expect(trafficSource("", `${origin}/search?q=cats`, origin)).toBe("search");
    expect(trafficSource("", `${origin}/channel/ch1`, origin)).toBe("channel");
    expect(trafficSource("", `${origin}/playlist/PL1`, origin)).toBe("playlist");
    expect(trafficSource("?t=30", `${origin}/watch/v1`, origin)).toBe("related");
    expect(trafficSource("", `${origin}/history`, origin)).toBe("direct");
    expect(trafficSource("", "https://news.example/story", origin)).toBe("external");
    expect(trafficSource("", "", origin)).toBe("direct");
    expect(trafficSource("", "not a url", origin)).toBe("direct");
  });
});
