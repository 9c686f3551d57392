// The per-prediction serializer: tasks under one key run one at a time in order; keys do not block each other.
import { describe, expect, it } from "vitest";
import { createKeyedQueue } from "../src/keyed-queue.js";

const tick = () => new Promise((resolve) => setTimeout(resolve, 1));

describe("keyed queue", () => {
  it("runs tasks of one key one at a time, in the order they were queued", async () => {
    const queue = createKeyedQueue();
    const log: string[] = [];
    let running = 0;
    const task = (name: string) => async () => {
      running += 1;
      expect(running).toBe(1);
      log.push(`start ${name}`);
      await tick();
      log.push(`end ${name}`);
      running -= 1;
      return name;
    };
    const results = await Promise.all(["a", "b", "c"].map((name) => queue.run("k", task(name))));
    expect(results).toEqual(["a", "b", "c"]);
    expect(log).toEqual(["start a", "end a", "start b", "end b", "start c", "end c"]);
    expect(queue.activeKeys).toBe(0);
  });

  it("tells a task whether it was queued behind another", async () => {
    const queue = createKeyedQueue();
    const seen = await Promise.all([1, 2, 3].map(() => queue.run("k", async (after) => after)));
    expect(seen).toEqual([false, true, true]);
    expect(await queue.run("k", async (after) => after)).toBe(false);
  });

  it("keeps going after a task fails, and lets other keys run meanwhile", async () => {
    const queue = createKeyedQueue();
    const order: string[] = [];
    const failing = queue.run("a", async () => {
      await tick();
      order.push("a1");
      throw new Error("boom");
    });
    const next = queue.run("a", async () => void order.push("a2"));
    const other = queue.run("b", async () => void order.push("b1"));
    await expect(failing).rejects.toThrow("boom");
    await Promise.all([next, other]);
    expect(order).toEqual(["b1", "a1", "a2"]);
  });
});
