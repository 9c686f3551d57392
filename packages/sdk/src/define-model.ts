// The model author's entry point: defineModel() and output helpers, with types that flow from zod into predict.
import { z } from "zod";
import type { PredictFiles } from "./files/prediction-files.js";

/** Handed to `setup`, which runs once per instance (the cold boot). */
export interface SetupContext {
  /** Appends `msg + "\n"` to the setup logs shown by `GET /health-check`. */
  log(msg: string): void;
}

/** Handed to every `predict` call. */
export interface PredictContext {
  /** The prediction id (client-chosen or generated). */
  readonly id: string;
  /** Aborted when the prediction is canceled; pass it to fetch(), timers and child processes. */
  readonly signal: AbortSignal;
  /** Appends `msg + "\n"` to this prediction's logs. */
  log(msg: string): void;
  /** Sets a metric on this prediction (replaces an earlier value). `predict_time` is reserved. */
  recordMetric(name: string, value: number): void;
  /** Files of this prediction: write an output file and get the path to return, or ask a file's content type. */
  readonly files: PredictFiles;
}

/** An output that arrives item by item: the model's predict is an async generator; the final output is the array. */
export interface IteratorOutput<Item extends z.ZodType = z.ZodType> {
  readonly kind: "iterator";
  readonly item: Item;
  /** UIs show `output.join("")` (token streams): Cog's `x-cog-array-display: concatenate`. */
  readonly concatenate: boolean;
}

/** What a model declares as its output: a zod type (returned once) or an iterator. */
export type OutputSpec = z.ZodType | IteratorOutput;

/** What predict must produce for a given output declaration. */
export type PredictResult<O extends OutputSpec> =
  O extends IteratorOutput<infer Item>
    ? AsyncIterable<z.input<Item>>
    : O extends z.ZodType
      ? z.input<O> | Promise<z.input<O>>
      : never;

/** The input declaration: an object schema whose keys (in order) are the model's inputs. */
export type InputSpec = z.ZodObject<z.ZodRawShape, z.core.$ZodObjectConfig>;

/** What a model author writes. */
export interface ModelSpec<I extends InputSpec, O extends OutputSpec> {
  input: I;
  output: O;
  /** How many predictions one instance runs at once (default 1). */
  concurrency?: number;
  setup?(ctx: SetupContext): void | Promise<void>;
  predict(input: z.output<I>, ctx: PredictContext): PredictResult<O>;
}

/** A model: the plain object defineModel() returns and loadModel()/serveModel() accept. */
export interface ModelDefinition<I extends InputSpec = InputSpec, O extends OutputSpec = OutputSpec> {
  readonly kind: "ferry-model";
  readonly input: I;
  readonly output: O;
  readonly concurrency: number;
  setup?(ctx: SetupContext): void | Promise<void>;
  predict(input: z.output<I>, ctx: PredictContext): PredictResult<O>;
}

/** Declares a model. Types flow: `input` in predict is the parsed zod type; predict's result must match `output`. */
export function defineModel<I extends InputSpec, O extends OutputSpec>(spec: ModelSpec<I, O>): ModelDefinition<I, O> {
  const concurrency = spec.concurrency ?? 1;
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new TypeError(`defineModel: concurrency must be a positive integer, got ${String(spec.concurrency)}`);
  }
  if (typeof spec.predict !== "function") throw new TypeError("defineModel: predict must be a function");
  const definition: ModelDefinition<I, O> = {
    kind: "ferry-model",
    input: spec.input,
    output: spec.output,
    concurrency,
    predict: spec.predict.bind(spec),
  };
  if (spec.setup) return { ...definition, setup: spec.setup.bind(spec) };
  return definition;
}

/** URLs a file input accepts: http(s) URLs and data: URIs (as Cog's Path). */
const FILE_URL = /^(https?|data)$/;

/** Input helpers beyond plain zod types. */
export const inputs = {
  /**
   * A file (Cog's `Path`): callers pass an http(s) URL, a data: URI or a Files-API URL; predict gets the path of a
   * local copy, deleted after the prediction. The schema says `{"type": "string", "format": "uri"}`.
   */
  file(): z.ZodURL {
    return z.url({ protocol: FILE_URL });
  },
};

/** Output helpers beyond plain zod types. */
export const outputs = {
  /**
   * A file (Cog's `Path`): predict returns (or yields) a local path, e.g. from `ctx.files.write()`; the instance
   * uploads it and the output carries its URL (a data: URI when the instance has no upload URL). A returned
   * http(s) or data: URL is kept as it is. The schema says `{"type": "string", "format": "uri"}`.
   */
  file(): z.ZodString {
    return z.string().meta({ format: "uri" });
  },
  /** An iterator output (Cog's `Iterator[T]`, or `ConcatenateIterator[str]` with `{ concatenate: true }`). */
  iterator<Item extends z.ZodType>(item: Item, opts?: { concatenate?: boolean }): IteratorOutput<Item> {
    return { kind: "iterator", item, concatenate: opts?.concatenate ?? false };
  },
};

/** True for an output declared with outputs.iterator(). */
export function isIteratorOutput(output: OutputSpec): output is IteratorOutput {
  return (output as Partial<IteratorOutput>).kind === "iterator";
}

/** True for a value produced by defineModel() (checked structurally so copies of the SDK interoperate). */
export function isModelDefinition(value: unknown): value is ModelDefinition {
  if (typeof value !== "object" || value === null) return false;
  const candidate = value as Partial<ModelDefinition>;
  return candidate.kind === "ferry-model" && typeof candidate.predict === "function" && typeof candidate.input === "object";
}
