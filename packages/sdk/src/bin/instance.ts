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

// The runner keeps our stdin open as a lifeline when it sets FERRY_EXIT_WITH_PARENT: when the runner dies (even
// by SIGKILL, which runs no cleanup) the pipe closes and this instance must not live on as an orphan.
if (process.env["FERRY_EXIT_WITH_PARENT"] === "1") {
  process.stdin.on("data", () => {});
  process.stdin.once("close", () => process.exit(1));
  process.stdin.once("end", () => process.exit(1));
}

await server.closed;
process.exit(0);
