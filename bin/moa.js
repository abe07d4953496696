#!/usr/bin/env node
// Runs the TypeScript CLI through tsx's loader in this process, so `npx moa` works
// straight after `npm install` with no build step and Ctrl-C reaches the CLI directly.
import { register } from "tsx/esm/api";

register();
await import("../src/cli/main.ts");
