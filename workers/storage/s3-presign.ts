import { ListPartsCommand, S3Client, UploadPartCommand } from "@aws-sdk/client-s3";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";

/**
 * Presigned part URLs through R2's S3 API: clients PUT parts straight to R2, bypassing the
 * Worker. The R2 binding cannot presign or list parts, so this is the one place that
 * speaks S3; it is built only when credentials are configured.
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

export function s3Presigner(settings: S3Settings): PartPresigner {
  const client = new S3Client({
    endpoint: settings.endpoint,
    region: settings.region ?? "auto",
    forcePathStyle: true,
    credentials: { accessKeyId: settings.accessKeyId, secretAccessKey: settings.secretAccessKey },
    // The SDK would otherwise sign a CRC32 of the (empty) body into every presigned URL,
    // and the client's real part would then fail the store's checksum check.
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
  });
  return {
    async presignParts(key, uploadId, partCount, expiresInSeconds) {
      const expiresIn = Math.min(MAX_EXPIRY, expiresInSeconds);
      const urls: string[] = [];
      for (let part = 1; part <= partCount; part++) {
        const command = new UploadPartCommand({
          Bucket: settings.bucket,
          Key: key,
          UploadId: uploadId,
          PartNumber: part,
        });
        urls.push(await getSignedUrl(client, command, { expiresIn }));
      }
      return urls;
    },
    async listParts(key, uploadId) {
      const parts: { part: number; size: number; etag: string }[] = [];
      let marker: string | undefined;
      do {
        const page = await client.send(
          new ListPartsCommand({ Bucket: settings.bucket, Key: key, UploadId: uploadId, PartNumberMarker: marker }),
        );
        for (const p of page.Parts ?? []) {
          if (p.PartNumber && p.ETag && p.Size !== undefined) {
            parts.push({ part: p.PartNumber, size: p.Size, etag: p.ETag.replaceAll('"', "") });
          }
        }
        marker = page.IsTruncated ? page.NextPartNumberMarker : undefined;
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
