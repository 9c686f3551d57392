// The `ferry` command line (bin/ferry.js runs this through tsx).
import { USAGE, UsageError, parseCommand } from "./args.js";
import { createJsonLogger } from "./json-logger.js";
import { runRunnerCommand } from "./runner-command.js";

async function main(argv: string[]): Promise<number> {
  let command;
  try {
    command = parseCommand(argv, process.env);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`ferry: ${error.message}\n\n${USAGE}`);
    return 2;
  }
  if (command.command === "help") {
    process.stdout.write(USAGE);
    return 0;
  }
  const log = createJsonLogger(command.logLevel, { component: "runner" });
  try {
    return await runRunnerCommand(command, log);
  } catch (error) {
    log.error({ error: error instanceof Error ? error.message : String(error) }, "the runner failed");
    return 1;
  }
}

// Exits explicitly: a keep-alive socket to the API must not hold a stopped runner open.
process.exit(await main(process.argv.slice(2)));
