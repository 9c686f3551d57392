// Loads UpscalerJS's ESRGAN-slim ×2 and ×4 models from the installed @upscalerjs/esrgan-slim package. The
// `upscaler` wrapper is not used: its Node entry requires tfjs-node, which cannot be installed offline. Each model
// definition says where its model.json is, which pixel range it reads and writes, and may register custom layers.
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { modelFileUrl, type Tf } from "@ferry/model-kit";

export type Scale = 2 | 4;
type Range = [number, number];

/** The part of an UpscalerJS model definition this model reads. */
interface ModelDefinition {
  scale: number;
  modelType?: "layers" | "graph";
  _internals: { path: string };
  inputRange?: Range;
  outputRange?: Range;
  setup?: (tf: Tf) => void | Promise<void>;
}

export interface EsrganModel {
  scale: Scale;
  model: ReturnType<Tf["sequential"]> | Awaited<ReturnType<Tf["loadLayersModel"]>>;
  inputRange: Range;
  outputRange: Range;
}

const PACKAGE = "@upscalerjs/esrgan-slim";

export async function loadEsrgan(tf: Tf, scale: Scale): Promise<EsrganModel> {
  const require = createRequire(import.meta.url);
  const entry = require.resolve(`${PACKAGE}/${scale}x`);
  const definition = unwrapDefault(require(entry) as ModelDefinition | { default: ModelDefinition });
  if (definition.scale !== scale) throw new Error(`${PACKAGE}/${scale}x is a ×${definition.scale} model`);
  if ((definition.modelType ?? "layers") !== "layers") throw new Error(`${PACKAGE}/${scale}x is not a layers model`);
  await definition.setup?.(tf);
  const model = await tf.loadLayersModel(modelFileUrl(join(packageRoot(entry), definition._internals.path)));
  return { scale, model, inputRange: definition.inputRange ?? [0, 255], outputRange: definition.outputRange ?? [0, 255] };
}

function unwrapDefault(value: ModelDefinition | { default: ModelDefinition }): ModelDefinition {
  return "default" in value ? value.default : value;
}

/** The package's folder: its exports map hides package.json, so walk up from an entry file to it. */
function packageRoot(entry: string): string {
  for (let folder = dirname(entry); folder !== dirname(folder); folder = dirname(folder)) {
    const manifest = join(folder, "package.json");
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, "utf8")) as { name?: string }).name === PACKAGE) return folder;
  }
  throw new Error(`cannot find the ${PACKAGE} folder above ${entry}`);
}
