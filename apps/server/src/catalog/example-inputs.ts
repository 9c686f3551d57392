// A manifest example's input as the API takes it: every value naming a file under the model's examples/ folder
// (e.g. "examples/receipt.png") becomes the public URL the server serves that file at.
import { EXAMPLES_FOLDER, fileInside } from "./model-assets.js";

const PREFIX = `${EXAMPLES_FOLDER}/`;

/** The public URL of a file of a built-in model's folder (GET /v1/models/{owner}/{name}/files/<path>). */
export function modelFileUrl(publicUrl: string, owner: string, name: string, relative: string): string {
  return `${publicUrl}/v1/models/${owner}/${name}/files/${relative.split("/").map(encodeURIComponent).join("/")}`;
}

/**
 * Replaces example file paths (top-level values and array items) with URLs. Throws when a value names a file
 * under examples/ that is not there, so a broken example is reported at start rather than run.
 */
export async function resolveExampleInput(
  input: Record<string, unknown>,
  model: { folder: string; owner: string; name: string; publicUrl: string },
): Promise<Record<string, unknown>> {
  const resolveValue = async (value: unknown): Promise<unknown> => {
    if (typeof value !== "string" || !value.startsWith(PREFIX)) return value;
    const file = await fileInside(model.folder, EXAMPLES_FOLDER, value.slice(PREFIX.length));
    if (file === null) throw new Error(`the example file ${value} is not a file inside the model's ${EXAMPLES_FOLDER}/ folder`);
    return modelFileUrl(model.publicUrl, model.owner, model.name, value);
  };
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(input)) {
    out[key] = Array.isArray(value) ? await Promise.all(value.map(resolveValue)) : await resolveValue(value);
  }
  return out;
}
