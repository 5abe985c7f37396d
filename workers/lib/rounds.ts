/**
 * A cron job's bounded share of work: `step` (one batch per table it works on, answering how
 * many rows each took) runs again until every table's batch came back short of `batch` or
 * `rounds` steps are done; the rest waits for the next run. Returns the rows taken in all.
 */
export async function inRounds(rounds: number, batch: number, step: () => Promise<number[]>): Promise<number> {
  let total = 0;
  for (let round = 0; round < rounds; round++) {
    const counts = await step();
    total += counts.reduce((a, b) => a + b, 0);
    if (counts.every((n) => n < batch)) break;
  }
  return total;
}
