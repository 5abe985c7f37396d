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
