/**
 * Shared set-up of the engine tests: one fake OpenAI server per test file, the real
 * provider pointed at it, a preset builder and event helpers. Reusable by anyone who
 * drives `runMoa` in a test (e.g. presenter tests that want real event streams).
 */
import { afterAll, beforeEach } from "vitest";
import type { MoaEvent, MoaRequest } from "../src/moa/events.js";
import { type Preset, type PresetInput, PresetSchema } from "../src/moa/preset.js";
import { OpenAICompatibleModel } from "../src/moa/providers/openai-compatible.js";
import { type MoaDeps, runMoa } from "../src/moa/run-moa.js";
import { type FakeOpenAIServer, startFakeOpenAI } from "./fake-openai-server.js";

/** Starts a fake server for the calling test file (closed after it, reset before each test). */
export async function engineHarness(): Promise<{
  server: FakeOpenAIServer;
  model: OpenAICompatibleModel;
  run: (request: MoaRequest, deps?: Partial<MoaDeps>) => Promise<MoaEvent[]>;
}> {
  const server = await startFakeOpenAI();
  const model = new OpenAICompatibleModel({ default: server.provider() });
  afterAll(() => server.close());
  beforeEach(() => server.reset());
  const run = async (request: MoaRequest, deps: Partial<MoaDeps> = {}) => {
    const events: MoaEvent[] = [];
    for await (const event of runMoa(request, { model, ...deps })) events.push(event);
    return events;
  };
  return { server, model, run };
}

/** A valid preset: proposers p1..p3, aggregator `agg`, 2 layers, with `over` applied. */
export function testPreset(over: Partial<PresetInput> = {}): Preset {
  return PresetSchema.parse({
    name: "t",
    proposers: ["p1", "p2", "p3"],
    aggregator: "agg",
    layers: 2,
    temperature: 0.6,
    maxTokens: 64,
    ...over,
  });
}

/** The events of one type, typed. */
export function ofType<T extends MoaEvent["type"]>(events: MoaEvent[], type: T) {
  return events.filter((e): e is Extract<MoaEvent, { type: T }> => e.type === type);
}

/** The last event of one type; throws (listing what came) when there is none. */
export function last<T extends MoaEvent["type"]>(events: MoaEvent[], type: T) {
  const found = ofType(events, type).at(-1);
  if (!found) throw new Error(`no ${type} event in ${events.map((e) => e.type).join(",")}`);
  return found;
}
