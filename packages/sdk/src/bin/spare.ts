// A spare instance process: `node --import tsx spare.ts`, started before any model is known, so that node, tsx and
// the SDK's server are loaded by the time a runner needs an instance. It waits for one launch message on stdin, a
// JSON line {"entry": "<model entry file>", "env": {...}}, takes that environment (PORT, HOST, COG_UPLOAD_URL, …)
// as its own, then runs exactly like `instance.ts <entry>`. Its stdin stays open as the runner's lifeline throughout:
// a spare whose runner died exits at once, whether it was still waiting or already serving a model.
import { parseSpareLaunch, type SpareLaunch } from "../server/spare-launch.js";
import { exitWithParent, runInstance } from "../server/instance-process.js";

const launch = await new Promise<SpareLaunch>((resolve) => {
  let buffered = "";
  let received = false;
  exitWithParent((chunk) => {
    if (received) return;
    buffered += chunk;
    const newline = buffered.indexOf("\n");
    if (newline === -1) return;
    received = true;
    const parsed = parseSpareLaunch(buffered.slice(0, newline));
    if (typeof parsed === "string") {
      process.stderr.write(`spare: ${parsed}\n`);
      process.exit(2);
    }
    resolve(parsed);
  });
});

// The model is imported after this, so it sees the environment it was launched with, not the spare's.
for (const key of Object.keys(process.env)) if (!(key in launch.env)) delete process.env[key];
Object.assign(process.env, launch.env);
process.argv[2] = launch.entry;
// `ps` and /proc/<pid>/cmdline show which model this process runs, as for an instance started cold (cut to the
// length of the spare's own command line, which keeps the start of the entry's path).
process.title = `ferry instance ${launch.entry}`;

await runInstance(launch.entry);
