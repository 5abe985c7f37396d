/** D1 binds at most 100 parameters a statement: id lists go in chunks of this many. */
export const D1_CHUNK = 90;

/** `items` cut into runs of at most `size`, in order. */
export function chunks<T>(items: readonly T[], size = D1_CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * Calls `call` once per key of `items` (grouped by `keyOf`, in the order keys first appear),
 * each with its items and their indexes in `items`, at most `atOnce` calls at a time: one RPC
 * per Durable Object for a batch that names many of them.
 */
export async function perKey<T>(
  items: readonly T[],
  keyOf: (item: T) => string,
  atOnce: number,
  call: (key: string, group: { item: T; index: number }[]) => Promise<void>,
): Promise<void> {
  const groups = new Map<string, { item: T; index: number }[]>();
  items.forEach((item, index) => {
    const key = keyOf(item);
    const group = groups.get(key);
    if (group) group.push({ item, index });
    else groups.set(key, [{ item, index }]);
  });
  const all = [...groups];
  for (let i = 0; i < all.length; i += atOnce) {
    await Promise.all(all.slice(i, i + atOnce).map(([key, group]) => call(key, group)));
  }
}
