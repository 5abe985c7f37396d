/** Deletes every object under `prefix`, a listing page (up to 1,000 keys) at a time. */
export async function deletePrefix(media: R2Bucket, prefix: string): Promise<void> {
  let cursor: string | undefined;
  do {
    const page = await media.list({ prefix, cursor });
    if (page.objects.length) await media.delete(page.objects.map((o) => o.key));
    cursor = page.truncated ? page.cursor : undefined;
  } while (cursor);
}
