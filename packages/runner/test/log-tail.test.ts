// The output tail keeps the last lines only, however the output was chunked.
import { describe, expect, test } from "vitest";
import { createLogTail } from "../src/log-tail.js";

describe("createLogTail", () => {
  test("joins lines split across chunks and keeps a trailing partial line", () => {
    const tail = createLogTail();
    tail.write("loading wei");
    tail.write("ghts\nstep 1\r\nstep");

    expect(tail.last()).toBe("loading weights\nstep 1\nstep");
    expect(tail.last(2)).toBe("step 1\nstep");
  });

  test("forgets the oldest lines beyond its size and cuts very long lines", () => {
    const tail = createLogTail(3, 5);
    tail.write("1\n2\n3\n4\n123456789\n");

    expect(tail.last()).toBe("3\n4\n12345…");
  });
});
