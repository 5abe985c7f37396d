// Presigned part URLs against a real S3-protocol server on loopback.
//
// The server is s3rver (npm): it implements multipart uploads (initiate, UploadPart,
// complete) and checks a SigV4 query signature's form, credential and expiry, but it does
// not recompute the HMAC (its V4 support stops there), and it has no ListParts. So:
//   - the upload itself runs against s3rver: parts PUT to our URLs, completed, read back;
//   - expiry is checked by s3rver;
//   - the signature is checked by recomputing it with aws4fetch, an independent SigV4
//     implementation (the one commonly used with R2 from Workers), for the same request and
//     time: equal signatures for the URL as issued, different ones after tampering.
// `listParts` is not exercised here (no server on this machine implements ListParts).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import {
  CompleteMultipartUploadCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import { AwsV4Signer } from "aws4fetch";
// @ts-expect-error s3rver ships no types
import S3rver from "s3rver";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { s3Presigner } from "../../workers/storage/s3-presign";

const credentials = { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" };
const bucket = "cloudtube-media";
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

    /** The signature aws4fetch computes for `target`'s request at the URL's own time. */
    async function reference(target: URL, secretAccessKey = credentials.secretAccessKey) {
      const unsigned = new URL(target);
      for (const k of [...unsigned.searchParams.keys()])
        if (k.startsWith("X-Amz-") && !["X-Amz-Expires", "X-Amz-Content-Sha256"].includes(k))
          unsigned.searchParams.delete(k);
      const datetime = target.searchParams.get("X-Amz-Date")!;
      const signer = new AwsV4Signer({
        url: unsigned.toString(),
        method: "PUT",
        accessKeyId: credentials.accessKeyId,
        secretAccessKey,
        service: "s3",
        region: "auto",
        signQuery: true,
        datetime,
        allHeaders: false,
      });
      const signed = await signer.sign();
      return new URL(signed.url).searchParams.get("X-Amz-Signature");
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
