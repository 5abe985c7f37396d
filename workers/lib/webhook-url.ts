/**
 * Where a webhook may be sent. In production only `https://` to a public host: never a
 * private, loopback, link-local, shared (CGNAT), documentation, multicast or reserved address,
 * nor a cloud metadata address, nor a name that only means something inside a network
 * (`localhost`, `*.local`, `*.internal`, single labels).
 *
 * `checkWebhookUrl` looks at the URL alone: an IP literal is checked against the ranges (the
 * WHATWG URL parser has already turned `2130706433`, `0x7f.1` and `[::ffff:7f00:1]` into their
 * canonical forms), a name against the names above. A name that passes is then resolved
 * (`checkWebhookTarget`): Workers have no DNS API, so through DNS over HTTPS (`resolveAddresses`,
 * WEBHOOK_DNS_URL), and every address it answers, through CNAMEs, must be public too. That
 * runs when the endpoint is saved and again before every attempt (a name can be pointed
 * elsewhere later). Redirects are never followed (a 3xx is a failed attempt). What remains is
 * the moment between the check and the request's own lookup; Cloudflare's egress does not
 * reach private ranges either.
 *
 * `allowLoopback` (WEBHOOK_ALLOW_LOOPBACK, local development and tests) also lets through
 * `http://` or `https://` to `127.0.0.1` and `localhost`, and nothing else.
 */
export type UrlVerdict =
  | {
      ok: true;
      url: string;
      /** A host name (not an IP literal, not the local setting's loopback) to resolve before sending. */
      name?: string;
    }
  | { ok: false; reason: string };

const BLOCKED_V4: [number, number][] = [
  [0x00000000, 8], // "this network"
  [0x0a000000, 8], // private
  [0x64400000, 10], // shared address space (CGNAT)
  [0x7f000000, 8], // loopback
  [0xa9fe0000, 16], // link-local, cloud metadata (169.254.169.254)
  [0xac100000, 12], // private
  [0xc0000000, 24], // IETF protocol assignments
  [0xc0000200, 24], // documentation
  [0xc0586300, 24], // 6to4 relay anycast
  [0xc0a80000, 16], // private
  [0xc6120000, 15], // benchmarking
  [0xc6336400, 24], // documentation
  [0xcb007100, 24], // documentation
  [0xe0000000, 4], // multicast
  [0xf0000000, 4], // reserved, broadcast
];

function v4(host: string): number | null {
  const parts = host.split(".");
  if (parts.length !== 4 || !parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255)) return null;
  return parts.reduce((n, p) => n * 256 + Number(p), 0);
}

const inV4 = (ip: number, [base, bits]: [number, number]) =>
  bits === 0 || Math.floor(ip / 2 ** (32 - bits)) === Math.floor(base / 2 ** (32 - bits));

const blockedV4 = (ip: number) => BLOCKED_V4.some((range) => inV4(ip, range));

/** The eight 16-bit groups of a canonical IPv6 literal (no brackets), or null. */
function v6(host: string): number[] | null {
  let text = host;
  // A dotted IPv4 tail (the URL parser rewrites it, but be safe).
  const tail = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (tail) {
    const ip = v4(tail[1] as string);
    if (ip === null) return null;
    text = `${text.slice(0, -(tail[1] as string).length)}${(ip >>> 16).toString(16)}:${(ip & 0xffff).toString(16)}`;
  }
  const halves = text.split("::");
  if (halves.length > 2) return null;
  const split = (s: string) => (s ? s.split(":") : []);
  const head = split(halves[0] as string);
  const rest = halves.length === 2 ? split(halves[1] as string) : [];
  const missing = 8 - head.length - rest.length;
  if (halves.length === 1 ? head.length !== 8 : missing < 1) return null;
  const groups = [...head, ...Array(halves.length === 2 ? missing : 0).fill("0"), ...rest];
  if (!groups.every((g) => /^[0-9a-f]{1,4}$/i.test(g))) return null;
  return groups.map((g) => Number.parseInt(g, 16));
}

function blockedV6(g: number[]): boolean {
  const [a = 0, b = 0] = g;
  const embeddedV4 = ((g[6] ?? 0) * 65536 + (g[7] ?? 0)) >>> 0;
  if (g.every((x) => x === 0)) return true; // unspecified
  if (g.slice(0, 7).every((x) => x === 0) && g[7] === 1) return true; // loopback
  if (g.slice(0, 5).every((x) => x === 0) && (g[5] === 0xffff || g[5] === 0)) return blockedV4(embeddedV4); // v4-mapped / compatible
  if (a === 0x64 && b === 0xff9b) return blockedV4(embeddedV4); // NAT64
  if ((a & 0xfe00) === 0xfc00) return true; // unique local (fc00::/7, fd00:ec2::254 metadata)
  if ((a & 0xffc0) === 0xfe80) return true; // link-local
  if ((a & 0xffc0) === 0xfec0) return true; // site-local (deprecated)
  if ((a & 0xff00) === 0xff00) return true; // multicast
  if (a === 0x2001 && b === 0x0db8) return true; // documentation
  if (a === 0x2002) return blockedV4(((g[1] ?? 0) * 65536 + (g[2] ?? 0)) >>> 0); // 6to4
  if (a === 0x0100 && g.slice(1, 4).every((x) => x === 0)) return true; // discard-only
  return false;
}

/** Names that mean something only inside a network, never a public host. */
const PRIVATE_NAMES = /(^|\.)(localhost|local|localdomain|internal|intranet|lan|home|corp|private|home\.arpa)$/;

const LOOPBACK_HOSTS = new Set(["127.0.0.1", "localhost"]);

export function checkWebhookUrl(raw: string, { allowLoopback }: { allowLoopback: boolean }): UrlVerdict {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { ok: false, reason: "is not a URL" };
  }
  if (url.username || url.password) return { ok: false, reason: "must not carry a user name or password" };
  const host = url.hostname.toLowerCase().replace(/\.$/, "");
  if (allowLoopback && LOOPBACK_HOSTS.has(host) && (url.protocol === "http:" || url.protocol === "https:")) {
    return { ok: true, url: url.href };
  }
  if (url.protocol !== "https:") return { ok: false, reason: "must be an https:// URL" };
  if (host.startsWith("[")) {
    const groups = v6(host.slice(1, -1));
    if (!groups || blockedV6(groups)) return { ok: false, reason: "must not point at a private or reserved address" };
    return { ok: true, url: url.href };
  }
  const ip = v4(host);
  if (ip !== null) {
    return blockedV4(ip)
      ? { ok: false, reason: "must not point at a private or reserved address" }
      : { ok: true, url: url.href };
  }
  if (!host.includes(".") || PRIVATE_NAMES.test(host) || host === "metadata.google.internal") {
    return { ok: false, reason: "must name a public host" };
  }
  return { ok: true, url: url.href, name: host };
}

/** Whether an address (dotted IPv4 or IPv6 text) is one a webhook must never reach; unreadable ones are. */
export function isBlockedAddress(address: string): boolean {
  const text = address
    .trim()
    .toLowerCase()
    .replace(/^\[|\]$/g, "");
  const ip = v4(text);
  if (ip !== null) return blockedV4(ip);
  const groups = v6(text);
  return !groups || blockedV6(groups);
}

/** A resolver that has not answered in this long has failed (the attempt is retried on the schedule). */
export const RESOLVE_TIMEOUT_MS = 5000;

/** What a name resolved to: its addresses, or why there are none to check. */
export type Resolution = { ok: true; addresses: string[] } | { ok: false; reason: string };

interface DohAnswer {
  Status?: number;
  Answer?: { type: number; data: string }[];
}

/**
 * A name's A and AAAA addresses through a DNS-over-HTTPS resolver's JSON API (`resolver`:
 * `https://cloudflare-dns.com/dns-query` in production). The answers carry the CNAME chain
 * and the addresses at its end; only the addresses (types 1 and 28) are kept.
 */
export async function resolveAddresses(fetcher: typeof fetch, resolver: string, name: string): Promise<Resolution> {
  const ask = async (type: "A" | "AAAA"): Promise<DohAnswer> => {
    const url = `${resolver}?name=${encodeURIComponent(name)}&type=${type}`;
    const res = await fetcher(url, {
      headers: { Accept: "application/dns-json" },
      signal: AbortSignal.timeout(RESOLVE_TIMEOUT_MS),
    });
    if (!res.ok) throw new Error(`resolver answered ${res.status}`);
    return (await res.json()) as DohAnswer;
  };
  let answers: DohAnswer[];
  try {
    answers = await Promise.all([ask("A"), ask("AAAA")]);
  } catch {
    return { ok: false, reason: "could not be resolved just now; try again" };
  }
  if (answers.some((a) => a.Status !== undefined && a.Status !== 0 && a.Status !== 3)) {
    return { ok: false, reason: "could not be resolved just now; try again" };
  }
  const addresses = answers
    .flatMap((a) => (a.Answer ?? []).filter((r) => r.type === 1 || r.type === 28))
    .map((r) => r.data);
  return addresses.length ? { ok: true, addresses } : { ok: false, reason: "must name a host that resolves" };
}

/**
 * `checkWebhookUrl`, then, for a host name, every address it resolves to (`resolve`) must be
 * public: a public-looking name pointed at 10.0.0.1 or 169.254.169.254 is refused.
 */
export async function checkWebhookTarget(
  raw: string,
  options: { allowLoopback: boolean; resolve: (name: string) => Promise<Resolution> },
): Promise<UrlVerdict> {
  const verdict = checkWebhookUrl(raw, options);
  if (!verdict.ok || !verdict.name) return verdict;
  const resolved = await options.resolve(verdict.name);
  if (!resolved.ok) return { ok: false, reason: resolved.reason };
  if (resolved.addresses.some(isBlockedAddress)) {
    return { ok: false, reason: "must not resolve to a private or reserved address" };
  }
  return verdict;
}
