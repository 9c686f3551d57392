// @ferry/model-kit: shared helpers for Ferry's official models (image I/O, TensorFlow.js, human, programs).
export { concatBytes, loadTfjs, modelFileUrl, readModelArtifacts, wasmDistFolder, type ModelArtifacts, type Tf } from "./tfjs.js";
export {
  annotateImage,
  annotationSvg,
  applyMask,
  boxToInput,
  decodeImage,
  DEFAULT_MAX_PIXELS,
  encodeImage,
  ImageInputError,
  paletteColor,
  pointToInput,
  readImageAsIs,
  type Annotation,
  type DecodedAsIs,
  type DecodeOptions,
  type ImageFormat,
  type PixelBox,
  type RawImage,
  type RgbImage,
} from "./image.js";
export {
  createHuman,
  humanModelsDir,
  tfjsWasmDir,
  type DeepPartial,
  type Human,
  type HumanConfig,
  type HumanModule,
  type HumanOptions,
  type HumanResult,
  type HumanRuntime,
} from "./human.js";
export { ProgramError, requirePrograms, runProgram, which, type ProgramFailure, type ProgramResult, type RunProgramOptions } from "./programs.js";
export {
  AudioDecodeError,
  convertToMonoWav,
  decodePcm16Wav,
  encodePcm16Wav,
  parseWavHeader,
  pcm16Levels,
  readWavInfo,
  sniffAudioType,
  SUPPORTED_AUDIO,
  WavFormatError,
  type ConvertOptions,
  type WavInfo,
} from "./audio.js";
