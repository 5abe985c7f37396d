// Smoke mode (BENCH_SMOKE=1), shared by every benchmark (bench/lib.ts and bench/search/harness.ts
// re-export it). `npm run bench:smoke` (bench/smoke.mjs) runs each `bench:*`, `eval:*` and `sim:*`
// script this way in CI, so a benchmark that no longer starts, or whose measured requests fail,
// fails CI like a broken test. A smoke run takes the real path end to end at tiny sizes; its
// figures mean nothing. No imports: the search harness runs under its own loader.

export const smoke = process.env.BENCH_SMOKE === "1";

/** The full run's value, or the smoke run's. */
export const sized = <T>(full: T, small: T): T => (smoke ? small : full);

/**
 * A number from the environment (`name`), else the full or smoke default: an explicit setting
 * wins in both modes. A value that is not a number stops the run rather than measure NaN.
 */
export function setting(name: string, full: number, small: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return sized(full, small);
  const value = Number(raw);
  if (!Number.isFinite(value)) throw new BenchmarkFailed(`${name}=${JSON.stringify(raw)} is not a number`);
  return value;
}

/** What a benchmark throws when the operation it measures did not work. */
export class BenchmarkFailed extends Error {
  override name = "BenchmarkFailed";
}

/** Stops the benchmark (non-zero exit) unless `condition` holds: figures of failed work are no figures. */
export function check(condition: unknown, message: string): asserts condition {
  if (!condition) throw new BenchmarkFailed(message);
}

/** Every figure is a finite number (a NaN or Infinity means something measured nothing). */
export function checkFinite(figures: Record<string, number>): void {
  const bad = Object.entries(figures).filter(([, v]) => !Number.isFinite(v));
  check(!bad.length, `figures that are not numbers: ${bad.map(([k, v]) => `${k}=${v}`).join(", ")}`);
}

const NOTE = "BENCH_SMOKE=1: a smoke run (tiny sizes, few rounds) that checks this benchmark works end to end";

/** Says so at the start of a smoke run (nothing in a full run). */
export function announceSmoke(): void {
  if (smoke) console.log(`${NOTE}.`);
}

/** Says so again under the results: the figures of a smoke run mean nothing. */
export function smokeFooter(): void {
  if (smoke) console.log(`\n${NOTE}: the figures above mean nothing; run without BENCH_SMOKE to measure.`);
}
