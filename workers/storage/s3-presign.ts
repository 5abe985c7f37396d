import { parseXml, XmlElement } from "@rgrove/parse-xml";
import { AwsClient } from "aws4fetch";

/**
 * Presigned part URLs through R2's S3 API: clients PUT parts straight to R2, bypassing the
 * Worker. The R2 binding cannot presign or list parts, so this is the one place that
 * speaks S3; it is built only when credentials are configured.
 *
 * aws4fetch signs (SigV4 on WebCrypto, the signer Cloudflare's R2 documentation uses from
 * Workers) and @rgrove/parse-xml reads ListParts' answer: about 50 KiB in the Worker's bundle
 * where the AWS SDK's S3 client and presigner were about 830 KiB (docs/benchmarks.md, "Worker
 * startup and bundle size"). test/node/s3-presign.test.ts checks the URLs and the requests
 * against AWS's own signer.
 */
export interface PartPresigner {
  presignParts(key: string, uploadId: string, partCount: number, expiresInSeconds: number): Promise<string[]>;
  listParts(key: string, uploadId: string): Promise<{ part: number; size: number; etag: string }[]>;
}

export interface S3Settings {
  endpoint: string;
  accessKeyId: string;
  secretAccessKey: string;
  bucket: string;
  region?: string;
}

/** S3 presigned URLs live at most 7 days. */
const MAX_EXPIRY = 7 * 24 * 3600;

/** An element's child elements named `name`. */
const childrenOf = (el: XmlElement, name: string) =>
  el.children.filter((c): c is XmlElement => c instanceof XmlElement && c.name === name);
/** The text of an element's first child element named `name`. */
const textOf = (el: XmlElement, name: string) => childrenOf(el, name)[0]?.text;

export function s3Presigner(settings: S3Settings): PartPresigner {
  // Two retries of a 5xx or a network error, not aws4fetch's ten: a viewer's request waits on listParts.
  const aws = new AwsClient({
    accessKeyId: settings.accessKeyId,
    secretAccessKey: settings.secretAccessKey,
    service: "s3",
    region: settings.region ?? "auto",
    retries: 2,
  });
  // Path-style (the bucket in the path), as R2's S3 endpoint takes it; every segment encoded once.
  const objectUrl = (key: string) =>
    new URL(
      `${settings.endpoint.replace(/\/+$/, "")}/${encodeURIComponent(settings.bucket)}/${key.split("/").map(encodeURIComponent).join("/")}`,
    );
  return {
    async presignParts(key, uploadId, partCount, expiresInSeconds) {
      const expiresIn = Math.min(MAX_EXPIRY, Math.max(1, Math.floor(expiresInSeconds)));
      const urls: string[] = [];
      for (let part = 1; part <= partCount; part++) {
        const url = objectUrl(key);
        url.searchParams.set("partNumber", String(part));
        url.searchParams.set("uploadId", uploadId);
        url.searchParams.set("X-Amz-Expires", String(expiresIn));
        // Query signing with an unsigned payload: the client's part is whatever it sends.
        const signed = await aws.sign(url.toString(), { method: "PUT", aws: { signQuery: true } });
        urls.push(signed.url);
      }
      return urls;
    },
    async listParts(key, uploadId) {
      const parts: { part: number; size: number; etag: string }[] = [];
      let marker: string | undefined;
      do {
        const url = objectUrl(key);
        url.searchParams.set("uploadId", uploadId);
        if (marker) url.searchParams.set("part-number-marker", marker);
        const res = await aws.fetch(url.toString(), { method: "GET" });
        if (!res.ok) {
          await res.body?.cancel();
          throw new Error(`S3 ListParts answered ${res.status}`);
        }
        // ListParts' answer: https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListParts.html
        const page = parseXml(await res.text()).root;
        if (page?.name !== "ListPartsResult") throw new Error("S3 ListParts answered without a ListPartsResult");
        for (const p of childrenOf(page, "Part")) {
          const part = Number(textOf(p, "PartNumber"));
          const size = Number(textOf(p, "Size"));
          const etag = textOf(p, "ETag")?.replaceAll('"', "");
          if (Number.isInteger(part) && part > 0 && etag && Number.isInteger(size) && size >= 0) {
            parts.push({ part, size, etag });
          }
        }
        const next = textOf(page, "IsTruncated") === "true" ? textOf(page, "NextPartNumberMarker") : undefined;
        // A truncated page that names no next marker, or the one just read, would loop for ever.
        marker = next && next !== marker ? next : undefined;
      } while (marker);
      return parts;
    },
  };
}

/** The presigner for this deployment, or undefined when no S3 credentials are set. */
export function presignerFromEnv(env: {
  R2_S3_ENDPOINT?: string;
  R2_ACCESS_KEY_ID?: string;
  R2_SECRET_ACCESS_KEY?: string;
  R2_BUCKET_NAME?: string;
}): PartPresigner | undefined {
  if (!env.R2_S3_ENDPOINT || !env.R2_ACCESS_KEY_ID || !env.R2_SECRET_ACCESS_KEY || !env.R2_BUCKET_NAME)
    return undefined;
  return s3Presigner({
    endpoint: env.R2_S3_ENDPOINT,
    accessKeyId: env.R2_ACCESS_KEY_ID,
    secretAccessKey: env.R2_SECRET_ACCESS_KEY,
    bucket: env.R2_BUCKET_NAME,
  });
}
