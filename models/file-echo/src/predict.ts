// ferry/file-echo: returns the file it is given, byte for byte and with the same content type; the fixture for
// file inputs (URLs, data: URIs, Files-API uploads) and file outputs (uploaded, served back by a signed link).
import { readFile } from "node:fs/promises";
import { basename } from "node:path";
import { z } from "zod";
import { defineModel, inputs, outputs } from "@ferry/sdk";

export default defineModel({
  input: z.object({
    file: inputs.file().describe("The file to echo: an http(s) URL, a data: URI or a file uploaded with the Files API"),
  }),
  output: outputs.file(),
  concurrency: 4,
  async predict(input, ctx) {
    const bytes = await readFile(input.file);
    const contentType = ctx.files.contentType(input.file);
    ctx.log(`echoing ${basename(input.file)} (${contentType}, ${bytes.length} bytes)`);
    return ctx.files.write(basename(input.file), bytes, { contentType });
  },
});
