// Whether the programs a model requires (its manifest's `requires`) can be run: found as executables on PATH.
import { constants } from "node:fs";
import { access, stat } from "node:fs/promises";
import { delimiter, join } from "node:path";

/** The names in `programs` that no folder of `path` (a PATH value) holds as an executable file, in order. */
export async function missingPrograms(programs: string[], path: string | undefined = process.env["PATH"]): Promise<string[]> {
  const folders = (path ?? "").split(delimiter).filter((folder) => folder !== "");
  const missing: string[] = [];
  for (const program of programs) {
    if (!(await onPath(program, folders))) missing.push(program);
  }
  return missing;
}

async function onPath(program: string, folders: string[]): Promise<boolean> {
  for (const folder of folders) {
    try {
      const candidate = join(folder, program);
      await access(candidate, constants.X_OK);
      if ((await stat(candidate)).isFile()) return true;
    } catch {
      // not here
    }
  }
  return false;
}
