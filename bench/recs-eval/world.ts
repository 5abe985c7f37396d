/**
 * A simulated video platform for the offline evaluation of recommendations (npm run
 * eval:recs). Everything is drawn from one seeded generator, so a run is repeatable.
 *
 * - Topics: each has its own vocabulary of made-up words (so text similarity can find a
 *   topic only through words, as on a real catalogue) plus a vocabulary shared by all.
 * - Channels: one main topic each, sizes skewed (a few big channels, many small).
 * - Videos: uploaded over `days`; mostly on their channel's topic, some off it; a latent
 *   quality (log-normal) that makes some videos far more watched than others: popularity bias.
 * - Viewers: latent tastes concentrated on two or three topics, a few subscriptions to
 *   channels of those topics, and a home region.
 * - Sessions: a viewer comes back every day or few; a session is a chain of watches where
 *   the next video stays on the last one's topic with some probability (what makes
 *   co-views informative), is drawn by taste x quality^bias x recency otherwise, and prefers
 *   subscribed channels. Only videos already uploaded can be watched; nothing is watched twice.
 * - Completion: how much of a video a viewer watches grows with their taste for its topic.
 */

export interface WorldVideo {
  id: string;
  channel: string;
  owner: string;
  topic: number;
  quality: number;
  uploadedAt: number;
  title: string;
  description: string;
  tags: string[];
}

export interface Watch {
  viewer: string;
  video: string;
  at: number;
  percent: number;
}

export interface WorldViewer {
  id: string;
  taste: number[];
  subscriptions: Set<string>;
}

export interface World {
  videos: WorldVideo[];
  viewers: WorldViewer[];
  /** Every watch, in time order. */
  watches: Watch[];
  start: number;
  end: number;
}

export interface WorldSettings {
  seed: number;
  topics: number;
  channels: number;
  videos: number;
  viewers: number;
  days: number;
  /** Exponent on quality when choosing: 0 none, 1 proportional. */
  popularityBias: number;
  /** Probability that the next watch of a session stays on the previous video's topic. */
  sessionCoherence: number;
}

export const DEFAULT_WORLD: WorldSettings = {
  seed: 11,
  topics: 24,
  channels: 160,
  videos: 2400,
  viewers: 1200,
  days: 60,
  popularityBias: 1,
  sessionCoherence: 0.6,
};

const DAY = 86_400_000;

export function rng(seed: number) {
  let s = seed >>> 0;
  const next = () => {
    // mulberry32
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const normal = () => Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next());
  const int = (n: number) => Math.floor(next() * n);
  const pick = <T>(xs: T[]) => xs[int(xs.length)]!;
  /** An index drawn with probability proportional to weights. */
  const weighted = (weights: number[], total = weights.reduce((a, b) => a + b, 0)) => {
    let r = next() * total;
    for (let i = 0; i < weights.length; i++) {
      r -= weights[i]!;
      if (r <= 0) return i;
    }
    return weights.length - 1;
  };
  return { next, normal, int, pick, weighted };
}

function word(r: ReturnType<typeof rng>) {
  const c = "bcdfghklmnprstvz";
  const v = "aeiou";
  let w = "";
  for (let i = 0, n = 2 + r.int(2); i < n; i++) w += c[r.int(c.length)]! + v[r.int(v.length)]!;
  return w;
}

export function makeWorld(settings: WorldSettings = DEFAULT_WORLD): World {
  const r = rng(settings.seed);
  const start = Date.UTC(2026, 0, 1);
  const end = start + settings.days * DAY;
  const vocab = Array.from({ length: settings.topics }, () => Array.from({ length: 30 }, () => word(r)));
  const common = Array.from({ length: 120 }, () => word(r));
  const channels = Array.from({ length: settings.channels }, (_, i) => ({
    id: `c${i}`,
    owner: `owner${i}`,
    topic: r.int(settings.topics),
    // Zipf-like sizes: a few channels upload much more.
    size: 1 / (1 + i) ** 0.7,
  }));
  const sizes = channels.map((c) => c.size);
  const videos: WorldVideo[] = [];
  for (let i = 0; i < settings.videos; i++) {
    const channel = channels[r.weighted(sizes)]!;
    const topic = r.next() < 0.85 ? channel.topic : r.int(settings.topics);
    const words = vocab[topic]!;
    const title = [r.pick(words), r.pick(common), r.pick(words), r.pick(common)].join(" ");
    const description = Array.from({ length: 16 }, () => (r.next() < 0.4 ? r.pick(words) : r.pick(common))).join(" ");
    videos.push({
      id: `v${i}`,
      channel: channel.id,
      owner: channel.owner,
      topic,
      quality: Math.exp(0.9 * r.normal()),
      // Uploads spread evenly over the period, so the last days bring new videos too.
      uploadedAt: start + r.next() * (end - start),
      title,
      description,
      tags: [r.pick(words), r.pick(words), r.pick(common)],
    });
  }
  videos.sort((a, b) => a.uploadedAt - b.uploadedAt);
  const viewers: WorldViewer[] = Array.from({ length: settings.viewers }, (_, i) => {
    const taste = new Array<number>(settings.topics).fill(0.02);
    for (let k = 0, n = 2 + r.int(2); k < n; k++) taste[r.int(settings.topics)]! += 1 + r.next() * 2;
    const liked = channels.filter((c) => taste[c.topic]! > 0.5);
    const subscriptions = new Set<string>();
    for (let k = 0; k < 3 && liked.length; k++) subscriptions.add(r.pick(liked).id);
    return { id: `u${i}`, taste, subscriptions };
  });
  return { videos, viewers, watches: simulate(settings, r, videos, viewers, start, end), start, end };
}

function simulate(
  settings: WorldSettings,
  r: ReturnType<typeof rng>,
  videos: WorldVideo[],
  viewers: WorldViewer[],
  start: number,
  end: number,
): Watch[] {
  const watches: Watch[] = [];
  const byTopic = new Map<number, WorldVideo[]>();
  for (const v of videos) byTopic.set(v.topic, [...(byTopic.get(v.topic) ?? []), v]);
  for (const viewer of viewers) {
    const seen = new Set<string>();
    let t = start + r.next() * 3 * DAY;
    while (t < end) {
      let topic = -1;
      for (let k = 0, n = 2 + r.int(5); k < n; k++) {
        const coherent = topic >= 0 && r.next() < settings.sessionCoherence;
        const pool = coherent ? byTopic.get(topic)! : videos;
        const v = choose(r, pool, viewer, seen, t, settings.popularityBias, coherent);
        if (!v) break;
        seen.add(v.id);
        const affinity = viewer.taste[v.topic]! / Math.max(...viewer.taste);
        const percent = Math.min(1, Math.max(0.05, 0.3 + 0.6 * affinity + 0.2 * r.normal()));
        watches.push({ viewer: viewer.id, video: v.id, at: t, percent });
        topic = v.topic;
        t += (3 + r.next() * 15) * 60_000;
      }
      t += (1 + r.next() * 4) * DAY;
    }
  }
  return watches.sort((a, b) => a.at - b.at);
}

/** Sampling a small slate per step keeps the simulation quick; the slate is drawn by taste, quality and recency. */
function choose(
  r: ReturnType<typeof rng>,
  pool: WorldVideo[],
  viewer: WorldViewer,
  seen: Set<string>,
  now: number,
  bias: number,
  sameTopic: boolean,
): WorldVideo | undefined {
  const slate: WorldVideo[] = [];
  const weights: number[] = [];
  for (let k = 0; k < 60; k++) {
    const v = pool[r.int(pool.length)]!;
    if (v.uploadedAt > now || seen.has(v.id)) continue;
    const ageDays = (now - v.uploadedAt) / DAY;
    const taste = sameTopic ? 1 : viewer.taste[v.topic]!;
    const subscribed = viewer.subscriptions.has(v.channel) ? 3 : 1;
    slate.push(v);
    weights.push(taste * v.quality ** bias * subscribed * (0.3 + 0.7 * 0.5 ** (ageDays / 10)));
  }
  return slate.length ? slate[r.weighted(weights)] : undefined;
}
