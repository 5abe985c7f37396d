// Presigned part URLs against a real S3-protocol server on loopback, and ListParts against
// the documented answer.
//
// The server is s3rver (npm): it implements multipart uploads (initiate, UploadPart,
// complete) and checks a SigV4 query signature's form, credential and expiry, but it does
// not recompute the HMAC (its V4 support stops there), and it has no ListParts. So:
//   - the upload itself runs against s3rver: parts PUT to our URLs, completed, read back;
//   - expiry is checked by s3rver;
//   - the signature is checked by recomputing it with AWS's own SigV4 implementation
//     (@smithy/signature-v4, what the AWS SDK signs with), independent of the aws4fetch the
//     presigner uses, for the same request and time: equal signatures for the URL as issued,
//     different ones after tampering;
//   - ListParts runs against a loopback server that checks the request's signature the same
//     way and answers pages shaped as AWS's API reference documents them.
import { createHash, createHmac } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import {
  CompleteMultipartUploadCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import { SignatureV4 } from "@smithy/signature-v4";
// @ts-expect-error s3rver ships no types
import S3rver from "s3rver";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { s3Presigner } from "../../workers/storage/s3-presign";

const credentials = { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" };
const bucket = "cloudtube-media";

const bytes = (d: string | ArrayBuffer | ArrayBufferView) =>
  typeof d === "string"
    ? d
    : d instanceof ArrayBuffer
      ? new Uint8Array(d)
      : new Uint8Array(d.buffer, d.byteOffset, d.byteLength);

/** SHA-256 (and its HMAC) from node:crypto, in the shape @smithy/signature-v4 takes. */
class Sha256 {
  private readonly hash;
  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    this.hash = secret === undefined ? createHash("sha256") : createHmac("sha256", bytes(secret));
  }
  update(data: string | ArrayBuffer | ArrayBufferView) {
    this.hash.update(bytes(data));
  }
  async digest() {
    return new Uint8Array(this.hash.digest());
  }
}

/** AWS's SigV4 for S3 (paths as given, no double encoding), region `auto` as R2's. */
const awsSigner = (secretAccessKey = credentials.secretAccessKey) =>
  new SignatureV4({
    service: "s3",
    region: "auto",
    credentials: { accessKeyId: credentials.accessKeyId, secretAccessKey },
    sha256: Sha256,
    uriEscapePath: false,
    applyChecksum: false,
  });

/** `20261207T153000Z` as a Date. */
const amzDate = (s: string) =>
  new Date(
    `${s.slice(0, 4)}-${s.slice(4, 6)}-${s.slice(6, 8)}T${s.slice(9, 11)}:${s.slice(11, 13)}:${s.slice(13, 15)}Z`,
  );

let server: { run(): Promise<{ port: number }>; close(): Promise<void> };
let endpoint: string;
let dir: string;
let client: S3Client;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), "s3rver-"));
  server = new S3rver({ port: 0, address: "127.0.0.1", silent: true, directory: dir });
  const { port } = await server.run();
  endpoint = `http://127.0.0.1:${port}`;
  client = new S3Client({ endpoint, region: "auto", forcePathStyle: true, credentials });
  await client.send(new CreateBucketCommand({ Bucket: bucket }));
});

afterAll(async () => {
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

const MiB = 1024 * 1024;
const fill = (size: number, seed: number) => Uint8Array.from({ length: size }, (_, i) => (i * 7 + seed) & 255);

async function newUpload(key: string) {
  const created = await client.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: key }));
  return created.UploadId!;
}

describe("presigned part URLs", () => {
  it("upload every part straight to the store, and the completed object is byte-identical", async () => {
    const key = "videos/v1/source/original.mp4";
    const uploadId = await newUpload(key);
    const presigner = s3Presigner({ endpoint, bucket, ...credentials });
    const urls = await presigner.presignParts(key, uploadId, 3, 600);
    expect(urls).toHaveLength(3);
    const parts = [fill(5 * MiB, 1), fill(5 * MiB, 2), fill(123_457, 3)];
    const etags: string[] = [];
    for (const [i, bytes] of parts.entries()) {
      expect(urls[i]).toContain(`partNumber=${i + 1}`);
      expect(urls[i]).toContain("X-Amz-Signature=");
      const res = await fetch(urls[i]!, { method: "PUT", body: bytes });
      expect(res.status, await res.clone().text()).toBe(200);
      etags.push(res.headers.get("ETag")!);
    }
    await client.send(
      new CompleteMultipartUploadCommand({
        Bucket: bucket,
        Key: key,
        UploadId: uploadId,
        MultipartUpload: { Parts: etags.map((ETag, i) => ({ ETag, PartNumber: i + 1 })) },
      }),
    );
    const object = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    const stored = new Uint8Array(await object.Body!.transformToByteArray());
    const expected = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const p of parts) {
      expected.set(p, at);
      at += p.length;
    }
    expect(stored.length).toBe(expected.length);
    expect(Buffer.compare(Buffer.from(stored), Buffer.from(expected))).toBe(0);
  });

  it("signs what an independent SigV4 implementation signs, and nothing it was not given", async () => {
    const key = "videos/v2/source/original.mp4";
    const presigner = s3Presigner({ endpoint, bucket, ...credentials });
    const [url] = await presigner.presignParts(key, "upload-123", 1, 600);
    const issued = new URL(url!);
    expect([...issued.searchParams.keys()].filter((k) => k.toLowerCase().includes("checksum"))).toEqual([]);

    /** The signature AWS's own signer computes for `target`'s request at the URL's own time and expiry. */
    async function reference(target: URL, secretAccessKey = credentials.secretAccessKey) {
      const query: Record<string, string> = {};
      for (const [k, v] of target.searchParams) if (!k.startsWith("X-Amz-")) query[k] = v;
      const signer = awsSigner(secretAccessKey);
      const signed = await signer.presign(
        {
          method: "PUT",
          protocol: target.protocol,
          hostname: target.hostname,
          port: Number(target.port),
          path: target.pathname,
          query,
          // The part's bytes are not signed: the payload hash is UNSIGNED-PAYLOAD, no header but host.
          headers: { host: target.host, "x-amz-content-sha256": "UNSIGNED-PAYLOAD" },
        },
        {
          signingDate: amzDate(target.searchParams.get("X-Amz-Date")!),
          expiresIn: Number(target.searchParams.get("X-Amz-Expires")),
          unsignableHeaders: new Set(["x-amz-content-sha256"]),
          unhoistableHeaders: new Set(["x-amz-content-sha256"]),
        },
      );
      return signed.query?.["X-Amz-Signature"];
    }

    expect(await reference(issued)).toBe(issued.searchParams.get("X-Amz-Signature"));
    for (const change of [
      (u: URL) => u.searchParams.set("partNumber", "2"),
      (u: URL) => u.searchParams.set("uploadId", "upload-456"),
      (u: URL) => (u.pathname = u.pathname.replace("v2", "v3")),
    ]) {
      const tampered = new URL(issued);
      change(tampered);
      expect(await reference(tampered)).not.toBe(issued.searchParams.get("X-Amz-Signature"));
    }
    expect(await reference(issued, "another-secret")).not.toBe(issued.searchParams.get("X-Amz-Signature"));
  });

  it("is refused by the store once expired", async () => {
    const key = "videos/v4/source/original.mp4";
    const uploadId = await newUpload(key);
    const [shortLived] = await s3Presigner({ endpoint, bucket, ...credentials }).presignParts(key, uploadId, 1, 1);
    await new Promise((r) => setTimeout(r, 2100));
    const late = await fetch(shortLived!, { method: "PUT", body: fill(10, 1) });
    expect(late.status).toBe(403);
    expect(await late.text()).toMatch(/expired/i);
  });

  it("caps the expiry at S3's seven days", async () => {
    const [url] = await s3Presigner({ endpoint, bucket, ...credentials }).presignParts("k", "u", 1, 30 * 24 * 3600);
    expect(new URL(url!).searchParams.get("X-Amz-Expires")).toBe(String(7 * 24 * 3600));
  });
});

/** A ListParts answer as https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListParts.html shows it. */
function listPartsXml(parts: { n: number; size: number; etag: string }[], next?: number) {
  const items = parts
    .map(
      (p) =>
        `<Part><ETag>&quot;${p.etag}&quot;</ETag><LastModified>2026-12-07T15:00:00.000Z</LastModified>` +
        `<PartNumber>${p.n}</PartNumber><Size>${p.size}</Size></Part>`,
    )
    .join("");
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n<ListPartsResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">` +
    `<Bucket>${bucket}</Bucket><Key>videos/v9/source/original.mp4</Key><UploadId>up-9</UploadId>` +
    `<PartNumberMarker>0</PartNumberMarker>${next ? `<NextPartNumberMarker>${next}</NextPartNumberMarker>` : ""}` +
    `<MaxParts>2</MaxParts><IsTruncated>${next ? "true" : "false"}</IsTruncated>${items}` +
    `<StorageClass>STANDARD</StorageClass></ListPartsResult>`
  );
}

describe("ListParts", () => {
  let listServer: Server;
  let listEndpoint: string;
  const seen: { path: string; query: Record<string, string>; valid: boolean }[] = [];
  /** What the next requests answer, in order. */
  let answers: { status: number; body: string }[] = [];

  beforeAll(async () => {
    listServer = createServer(async (req, res) => {
      const url = new URL(req.url ?? "/", "http://127.0.0.1");
      const query = Object.fromEntries(url.searchParams);
      // Recompute the request's signature with AWS's signer over what aws4fetch says it signed.
      const auth = req.headers.authorization ?? "";
      const signedHeaders = /SignedHeaders=([^,]+)/.exec(auth)?.[1]?.split(";") ?? [];
      const headers: Record<string, string> = {};
      for (const name of signedHeaders) headers[name] = String(req.headers[name] ?? "");
      const expected = await awsSigner().sign(
        {
          method: req.method ?? "GET",
          protocol: "http:",
          hostname: "127.0.0.1",
          path: url.pathname,
          query,
          headers,
        },
        { signingDate: amzDate(String(req.headers["x-amz-date"])) },
      );
      const valid =
        signedHeaders.includes("host") &&
        auth !== "" &&
        expected.headers.authorization === auth &&
        req.method === "GET";
      seen.push({ path: url.pathname, query, valid });
      const answer = valid
        ? answers.shift()
        : { status: 403, body: "<Error><Code>SignatureDoesNotMatch</Code></Error>" };
      res.writeHead(answer?.status ?? 500, { "Content-Type": "application/xml" }).end(answer?.body ?? "");
    });
    await new Promise<void>((resolve) => listServer.listen(0, "127.0.0.1", resolve));
    listEndpoint = `http://127.0.0.1:${(listServer.address() as AddressInfo).port}`;
  });

  afterAll(() => new Promise<void>((resolve) => listServer.close(() => resolve())));

  it("reads every page of parts, signed, and gives each part's number, size and bare ETag", async () => {
    seen.length = 0;
    answers = [
      {
        status: 200,
        body: listPartsXml(
          [
            { n: 1, size: 5_242_880, etag: "a1" },
            { n: 2, size: 5_242_880, etag: "1234" },
          ],
          2,
        ),
      },
      { status: 200, body: listPartsXml([{ n: 3, size: 123_457, etag: "c3" }]) },
    ];
    const presigner = s3Presigner({ endpoint: listEndpoint, bucket, ...credentials });
    const parts = await presigner.listParts("videos/v9/source/original.mp4", "up-9");
    expect(parts).toEqual([
      { part: 1, size: 5_242_880, etag: "a1" },
      { part: 2, size: 5_242_880, etag: "1234" },
      { part: 3, size: 123_457, etag: "c3" },
    ]);
    expect(seen.map((r) => r.valid)).toEqual([true, true]);
    expect(seen.map((r) => r.path)).toEqual([
      `/${bucket}/videos/v9/source/original.mp4`,
      `/${bucket}/videos/v9/source/original.mp4`,
    ]);
    expect(seen[0]?.query).toEqual({ uploadId: "up-9" });
    expect(seen[1]?.query).toEqual({ uploadId: "up-9", "part-number-marker": "2" });
  });

  it("reads an upload with one part, and one with none", async () => {
    answers = [
      { status: 200, body: listPartsXml([{ n: 1, size: 10, etag: "only" }]) },
      { status: 200, body: listPartsXml([]) },
    ];
    const presigner = s3Presigner({ endpoint: listEndpoint, bucket, ...credentials });
    expect(await presigner.listParts("k", "u")).toEqual([{ part: 1, size: 10, etag: "only" }]);
    expect(await presigner.listParts("k", "u")).toEqual([]);
  });

  it("fails on a refusal (wrong secret: the server's signature check) and on an answer that is no ListPartsResult", async () => {
    const wrong = s3Presigner({ endpoint: listEndpoint, bucket, ...credentials, secretAccessKey: "another-secret" });
    await expect(wrong.listParts("k", "u")).rejects.toThrow(/403/);
    answers = [{ status: 200, body: "<Other/>" }];
    const presigner = s3Presigner({ endpoint: listEndpoint, bucket, ...credentials });
    await expect(presigner.listParts("k", "u")).rejects.toThrow(/ListPartsResult/);
  });
});
