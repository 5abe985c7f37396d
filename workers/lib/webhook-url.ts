/**
 * Where a webhook may be sent. In production only `https://` to a public host: never a
 * private, loopback, link-local, shared (CGNAT), documentation, multicast or reserved address,
 * nor a cloud metadata address, nor a name that only means something inside a network
 * (`localhost`, `*.local`, `*.internal`, single labels).
 *
 * Workers cannot resolve names (there is no DNS API), so the check is on the URL's literal
 * host: an IP literal is checked against the ranges (the WHATWG URL parser has already turned
 * `2130706433`, `0x7f.1` and `[::ffff:7f00:1]` into their canonical forms), a name against the
 * names above. A public name that resolves to a private address is stopped by the platform
 * instead: Cloudflare's egress does not reach private ranges. Redirects are never followed
 * (a 3xx is a failed attempt), and the check runs again before every attempt.
 *
 * `allowLoopback` (WEBHOOK_ALLOW_LOOPBACK, local development and tests) also lets through
 * `http://` or `https://` to `127.0.0.1` and `localhost`, and nothing else.
 */
export type UrlVerdict = { ok: true; url: string } | { ok: false; reason: string };

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
  return { ok: true, url: url.href };
}
