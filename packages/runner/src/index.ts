// @ferry/runner: the runner agent. It starts model instances as child processes, hands them claimed predictions
// over the Cog HTTP protocol and reports what they do to the control plane.
export { createRunner } from "./runner.js";
export type { InstanceExit, InstanceInfo, InstanceState, Runner, RunnerOptions } from "./runner-types.js";
export { createCogClient } from "./cog-client.js";
export type { CogClient, CogHealth, CogPredictRequest, CogResponse } from "./cog-client.js";
export { tsxLoaderUrl } from "./instance-launch.js";
export { isAllowEntry } from "./inputs/address-policy.js";
export { DEFAULT_INPUT_TIMEOUT_MS, DEFAULT_MAX_INPUT_BYTES } from "./inputs/input-files.js";
export type { InputFileOptions } from "./inputs/input-files.js";
export { createHttpControlPlane, ControlPlaneHttpError, RUNNER_PROTOCOL_PATH } from "./http-control-plane.js";
export type { HttpControlPlane, HttpControlPlaneOptions } from "./http-control-plane.js";
export { detectResources, parseHardwareList, parseNvidiaSmi } from "./hardware.js";
