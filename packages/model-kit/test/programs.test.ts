// runProgram against real child processes: output capture and its bounds, exit codes, timeouts, aborts, no shell.
import { describe, expect, it } from "vitest";
import { ProgramError, requirePrograms, runProgram, which } from "@ferry/model-kit";

const NODE = process.execPath;

async function failure(promise: Promise<unknown>): Promise<ProgramError> {
  const err = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ProgramError);
  return err as ProgramError;
}

describe("runProgram", () => {
  it("resolves with stdout and stderr of a program that exits 0", async () => {
    const res = await runProgram(NODE, ["-e", "process.stdout.write('out'); process.stderr.write('err')"]);
    expect(res).toMatchObject({ stdout: "out", stderr: "err", stdoutTruncated: false, stderrTruncated: false });
  });

  it("passes arguments as they are, never through a shell", async () => {
    const res = await runProgram(NODE, ["-e", "process.stdout.write(process.argv[1])", "$(echo hi); `id` && rm -rf x"]);
    expect(res.stdout).toBe("$(echo hi); `id` && rm -rf x");
  });

  it("feeds stdin to the program", async () => {
    const res = await runProgram(NODE, ["-e", "process.stdin.pipe(process.stdout)"], { stdin: "through stdin" });
    expect(res.stdout).toBe("through stdin");
  });

  it("keeps the start of stdout and the end of stderr within maxOutputBytes", async () => {
    const script = "process.stdout.write('a'.repeat(5000) + 'END'); process.stderr.write('START' + 'b'.repeat(5000) + 'last words')";
    const res = await runProgram(NODE, ["-e", script], { maxOutputBytes: 100 });
    expect(res.stdout).toBe("a".repeat(100));
    expect(res.stderr).toHaveLength(100);
    expect(res.stderr.endsWith("last words")).toBe(true);
    expect(res).toMatchObject({ stdoutTruncated: true, stderrTruncated: true });
  });

  it("rejects a non-zero exit with the code and the end of stderr in the message", async () => {
    const err = await failure(runProgram(NODE, ["-e", "console.error('bad input file'); process.exit(3)"]));
    expect(err).toMatchObject({ reason: "exit_code", exitCode: 3 });
    expect(err.message).toBe(`${NODE} exited with code 3: bad input file`);
  });

  it("kills a program that outlives its timeout", async () => {
    const started = Date.now();
    const err = await failure(runProgram(NODE, ["-e", "setTimeout(() => {}, 60000)"], { timeoutMs: 300 }));
    expect(err.reason).toBe("timeout");
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it("kills the program at once when the signal aborts", async () => {
    const controller = new AbortController();
    const running = runProgram(NODE, ["-e", "setTimeout(() => {}, 60000)"], { signal: controller.signal });
    setTimeout(() => controller.abort(), 200);
    const started = Date.now();
    const err = await failure(running);
    expect(err.reason).toBe("aborted");
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it("does not start a program when the signal is already aborted", async () => {
    const err = await failure(runProgram(NODE, ["-e", ""], { signal: AbortSignal.abort() }));
    expect(err.reason).toBe("aborted");
  });

  it("says so when the program is not installed", async () => {
    const err = await failure(runProgram("ferry-no-such-program", []));
    expect(err.reason).toBe("not_found");
    expect(err.message).toBe("ferry-no-such-program is not installed (not found on PATH)");
  });
});

describe("which and requirePrograms", () => {
  it("finds an executable on PATH and returns null for a missing one", async () => {
    expect(await which("node")).toMatch(/\/node$/);
    expect(await which("ferry-no-such-program")).toBeNull();
    expect(await which(NODE)).toBe(NODE);
  });

  it("names every missing program in one error", async () => {
    await expect(requirePrograms(["node"])).resolves.toBeUndefined();
    await expect(requirePrograms(["node", "ferry-missing-a", "ferry-missing-b"])).rejects.toThrow(
      "required programs not found on PATH: ferry-missing-a, ferry-missing-b",
    );
  });
});
