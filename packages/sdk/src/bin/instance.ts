// The model instance process: `node --import tsx instance.ts <model entry>`; serves the model on $HOST:$PORT.
import { loadModel } from "../load-model.js";
import { serveLoadedModel } from "../server/serve-model.js";

const entry = process.argv[2];
if (!entry) {
  process.stderr.write("usage: node --import tsx instance.ts <model entry file>\n");
  process.exit(2);
}

const port = Number(process.env["PORT"] ?? "5000");
const host = process.env["HOST"] || "127.0.0.1";
const server = await serveLoadedModel(() => loadModel(entry), { port, host });

// A stray error leaves the model in an unknown state: report DEFUNCT (health keeps answering) instead of dying,
// so the runner can read why and replace the instance.
const defunct = (error: unknown) => {
  process.stderr.write(`fatal: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  server.markDefunct(error instanceof Error ? error.message : String(error));
};
process.on("uncaughtException", defunct);
process.on("unhandledRejection", defunct);

let stopping = false;
const stop = () => {
  if (stopping) process.exit(1);
  stopping = true;
  void server.close();
};
process.on("SIGTERM", stop);
process.on("SIGINT", stop);

await server.closed;
process.exit(0);
