/**
 * Writes that run concurrently but are announced in the order they arrived. An RPC that
 * awaits D1 lets the next call in (input gates hold only for storage), so without this two
 * comments could be announced in the opposite order to the one they were stamped in; and
 * one write at a time would cap a room at one D1 round trip per comment. Each write takes a
 * ticket on arrival, stores at once, and waits for every earlier ticket to be announced (or
 * to fail) before its own announcement. Exclusive work (a delete) waits for every write in
 * flight and holds new ones back. In memory is enough: an object is not evicted while a
 * call is running.
 */
export class OrderedWrites {
  private issued = 0;
  private turn = 0;
  private readonly ready = new Map<number, () => void>();
  private readonly inflight = new Set<Promise<unknown>>();
  private barrier: Promise<unknown> = Promise.resolve();

  /**
   * Starts `store` (synchronously, once its ticket is issued, so that whatever it stamps
   * first follows arrival order) and runs `announce` with its result in ticket order.
   */
  async write<T>(store: () => Promise<T>, announce: (result: T) => void): Promise<T> {
    await this.barrier;
    const ticket = this.issued++;
    const stored = store();
    const whole = stored.then(
      (result) => this.inTurn(ticket, () => announce(result)).then(() => result),
      (error: unknown) => this.inTurn(ticket, () => {}).then(() => Promise.reject(error)),
    );
    this.inflight.add(whole);
    void whole.then(
      () => this.inflight.delete(whole),
      () => this.inflight.delete(whole),
    );
    return whole;
  }

  /** Runs `work` alone: after every write in flight, before any that arrives meanwhile. */
  exclusive<T>(work: () => Promise<T>): Promise<T> {
    const run = this.barrier.then(async () => {
      await Promise.allSettled([...this.inflight]);
      return work();
    });
    this.barrier = run.catch(() => {});
    return run;
  }

  private inTurn(ticket: number, go: () => void): Promise<void> {
    return new Promise((resolve) => {
      this.ready.set(ticket, () => {
        go();
        resolve();
      });
      for (let next = this.ready.get(this.turn); next; next = this.ready.get(this.turn)) {
        this.ready.delete(this.turn);
        this.turn++;
        next();
      }
    });
  }
}
