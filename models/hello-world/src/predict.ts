// ferry/hello-world: greets `text`. A pure async function, so one instance serves many predictions at once.
import { z } from "zod";
import { defineModel } from "@ferry/sdk";

export default defineModel({
  input: z.object({
    text: z.string().describe("Who to greet").default("world"),
  }),
  output: z.string(),
  concurrency: 64,
  async predict(input) {
    return `hello ${input.text}`;
  },
});
