// The model instance process: `node --import tsx instance.ts <model entry>`; serves the model on $HOST:$PORT.
import { exitWithParent, runInstance } from "../server/instance-process.js";

const entry = process.argv[2];
if (!entry) {
  process.stderr.write("usage: node --import tsx instance.ts <model entry file>\n");
  process.exit(2);
}

// The runner sets FERRY_EXIT_WITH_PARENT and keeps our stdin open: its closing means the runner is gone.
if (process.env["FERRY_EXIT_WITH_PARENT"] === "1") exitWithParent();

await runInstance(entry);
