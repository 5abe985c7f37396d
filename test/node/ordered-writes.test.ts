import { describe, expect, it } from "vitest";
import { OrderedWrites } from "../../workers/durable-objects/ordered-writes";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("ordered writes (the room's comment pipeline)", () => {
  it("stores concurrently but announces in arrival order, past a failure", async () => {
    const writes = new OrderedWrites();
    const announced: number[] = [];
    let running = 0;
    let most = 0;
    const delays = [40, 5, 25, 1, 15, 30, 2, 10];
    const results = await Promise.allSettled(
      delays.map((ms, i) =>
        writes.write(
          async () => {
            running++;
            most = Math.max(most, running);
            await sleep(ms);
            running--;
            if (i === 3) throw new Error("store failed");
            return i;
          },
          (n) => announced.push(n),
        ),
      ),
    );
    expect(announced).toEqual([0, 1, 2, 4, 5, 6, 7]);
    expect(most).toBeGreaterThan(1);
    expect(results[3]).toMatchObject({ status: "rejected" });
    expect(results[5]).toEqual({ status: "fulfilled", value: 5 });
  });

  it("runs exclusive work after every write in flight and before the ones that come after it", async () => {
    const writes = new OrderedWrites();
    const log: string[] = [];
    const first = writes.write(
      async () => void (await sleep(30)),
      () => log.push("a"),
    );
    const alone = writes.exclusive(async () => {
      log.push("delete");
      await sleep(10);
      log.push("deleted");
    });
    const later = writes.write(
      async () => void log.push("b stored"),
      () => log.push("b"),
    );
    await Promise.all([first, alone, later]);
    expect(log).toEqual(["a", "delete", "deleted", "b stored", "b"]);
  });
});
