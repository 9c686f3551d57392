#!/usr/bin/env node
// The `ferry` command. Ferry runs from its TypeScript sources (no build step): tsx compiles them as they load.
import { register } from "tsx/esm/api";

register();
await import("../src/main.ts");
