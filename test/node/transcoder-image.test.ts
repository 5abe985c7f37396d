// The Container image installs transcoder/package.json, local dev the root package.json:
// the same transcoder code must meet the same versions in both.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

const root = path.resolve(import.meta.dirname, "../..");
const read = (file: string) => JSON.parse(readFileSync(path.join(root, file), "utf8"));

describe("the transcoder image's dependencies", () => {
  const image = read("transcoder/package.json");
  const rootPackage = read("package.json");

  it("pins every package the transcoder imports at the root's version", () => {
    for (const [name, version] of Object.entries(image.dependencies)) {
      expect(rootPackage.dependencies[name], name).toBe(version);
    }
  });

  it("locks exactly those versions", () => {
    const lock = read("transcoder/package-lock.json");
    for (const [name, version] of Object.entries(image.dependencies)) {
      expect(lock.packages[`node_modules/${name}`]?.version, name).toBe(version);
    }
  });

  it("covers every package transcoder/src and contracts/ import", () => {
    // The image holds transcoder/src and the contract it shares with the Worker.
    const sources = ["transcoder/src", "contracts"].flatMap((dir) =>
      readdirSync(path.join(root, dir))
        .filter((f) => f.endsWith(".ts"))
        .map((f) => path.join(dir, f)),
    );
    const imported = new Set<string>();
    for (const file of sources) {
      const text = readFileSync(path.join(root, file), "utf8");
      for (const [, spec] of text.matchAll(/^import [^;]*? from "([^".][^"]*)";/gms)) {
        if (!spec!.startsWith("node:"))
          imported.add(spec!.startsWith("@") ? spec!.split("/").slice(0, 2).join("/") : spec!.split("/")[0]!);
      }
    }
    expect([...imported].sort()).toEqual(Object.keys(image.dependencies).sort());
  });
});
