// The S3 presigner in the runtime it runs in (workerd: WebCrypto, the bundled XML parser). Its
// signatures are checked against AWS's own signer in test/node/s3-presign.test.ts; here, that
// what it issues and sends in workerd has S3's form, and that ListParts' documented answer is
// read page by page. S3 itself is stubbed at its one HTTP boundary (fetch to the endpoint).
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { s3Presigner } from "../../workers/storage/s3-presign";

const endpoint = "https://0123456789abcdef.r2.cloudflarestorage.com";
const settings = { endpoint, bucket: "cloudtube-media", accessKeyId: "AKID", secretAccessKey: "SECRET" };
const key = "videos/vid0123456789abc/source/original.mp4";

describe("S3 presigner in workerd", () => {
  const seen: Request[] = [];
  let pages: string[] = [];
  beforeEach(() => {
    seen.length = 0;
    vi.spyOn(globalThis, "fetch").mockImplementation(async (input, init) => {
      const request = new Request(input, init);
      seen.push(request);
      const body = pages.shift();
      return body === undefined
        ? new Response("<Error><Code>NoSuchUpload</Code></Error>", { status: 404 })
        : new Response(body, { headers: { "Content-Type": "application/xml" } });
    });
  });
  afterEach(() => vi.restoreAllMocks());

  it("presigns one PUT per part: path-style, query-signed for host alone, region auto, the expiry asked", async () => {
    const before = Date.now();
    const urls = await s3Presigner(settings).presignParts(key, "upload-1", 3, 3600);
    expect(urls).toHaveLength(3);
    urls.forEach((raw, i) => {
      const url = new URL(raw);
      expect(url.origin + url.pathname).toBe(`${endpoint}/cloudtube-media/${key}`);
      const q = url.searchParams;
      expect(q.get("partNumber")).toBe(String(i + 1));
      expect(q.get("uploadId")).toBe("upload-1");
      expect(q.get("X-Amz-Algorithm")).toBe("AWS4-HMAC-SHA256");
      expect(q.get("X-Amz-Credential")).toMatch(/^AKID\/\d{8}\/auto\/s3\/aws4_request$/);
      expect(q.get("X-Amz-SignedHeaders")).toBe("host");
      expect(q.get("X-Amz-Expires")).toBe("3600");
      expect(q.get("X-Amz-Signature")).toMatch(/^[0-9a-f]{64}$/);
      const [, y, mo, d, h, mi, s] = /^(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d)Z$/.exec(q.get("X-Amz-Date") ?? "") ?? [];
      expect(Date.UTC(+y!, +mo! - 1, +d!, +h!, +mi!, +s!)).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000);
    });
    // Different parts, different signatures; nothing was sent to S3 to presign.
    expect(new Set(urls.map((u) => new URL(u).searchParams.get("X-Amz-Signature"))).size).toBe(3);
    expect(seen).toHaveLength(0);
  });

  it("lists parts page by page through signed GETs, and fails on S3's refusal", async () => {
    const part = (n: number, size: number) =>
      `<Part><PartNumber>${n}</PartNumber><LastModified>2026-12-07T15:00:00.000Z</LastModified><ETag>&quot;e${n}&quot;</ETag><Size>${size}</Size></Part>`;
    const page = (parts: string, next?: number) =>
      `<?xml version="1.0" encoding="UTF-8"?><ListPartsResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Bucket>cloudtube-media</Bucket><Key>${key}</Key><UploadId>upload-1</UploadId><IsTruncated>${next ? "true" : "false"}</IsTruncated>${next ? `<NextPartNumberMarker>${next}</NextPartNumberMarker>` : ""}${parts}</ListPartsResult>`;
    pages = [page(part(1, 8_388_608) + part(2, 8_388_608), 2), page(part(3, 42))];
    const parts = await s3Presigner(settings).listParts(key, "upload-1");
    expect(parts).toEqual([
      { part: 1, size: 8_388_608, etag: "e1" },
      { part: 2, size: 8_388_608, etag: "e2" },
      { part: 3, size: 42, etag: "e3" },
    ]);
    expect(seen.map((r) => [r.method, new URL(r.url).search])).toEqual([
      ["GET", "?uploadId=upload-1"],
      ["GET", "?uploadId=upload-1&part-number-marker=2"],
    ]);
    for (const r of seen) {
      expect(r.headers.get("Authorization")).toMatch(
        /^AWS4-HMAC-SHA256 Credential=AKID\/\d{8}\/auto\/s3\/aws4_request, SignedHeaders=[^,]*host[^,]*, Signature=[0-9a-f]{64}$/,
      );
      expect(r.headers.get("X-Amz-Content-Sha256")).toBe("UNSIGNED-PAYLOAD");
    }
    pages = [];
    await expect(s3Presigner(settings).listParts(key, "gone")).rejects.toThrow(/404/);
  });
});
