import { readFileSync } from "node:fs";
import { z } from "zod";
import { ConfigError } from "../../errors.js";
import { type Preset, PresetSchema } from "../../moa/preset.js";
import { type ModelPolicyConfig, presetProblems } from "../model-policy.js";

const FileShape = z.union([z.array(z.unknown()), z.object({ presets: z.array(z.unknown()) })]);

/**
 * Reads operator presets from MOA_PRESETS_FILE: a JSON array of presets (or
 * `{"presets": [...]}`) in the PresetSchema shape, e.g.
 * `[{"name":"fast","proposers":["gpt-4.1-mini"],"aggregator":"gpt-4.1","layers":2,"temperature":0.5,"maxTokens":800}]`.
 * Each preset must pass the same bounds and model policy as chat edits. Throws one
 * ConfigError listing every problem, so a bad file stops the bot at startup.
 */
export function readPresetsFile(path: string, config: ModelPolicyConfig): Preset[] {
  const where = `MOA_PRESETS_FILE (${path})`;
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    const reason =
      error instanceof SyntaxError
        ? `not valid JSON: ${error.message}`
        : `cannot read: ${String(error)}`;
    throw new ConfigError([`${where}: ${reason}`]);
  }
  const shape = FileShape.safeParse(json);
  if (!shape.success)
    throw new ConfigError([`${where}: expected a JSON array of presets or {"presets": [...]}`]);
  const items = Array.isArray(shape.data) ? shape.data : shape.data.presets;
  const problems: string[] = [];
  const presets: Preset[] = [];
  const seen = new Set<string>();
  items.forEach((item, i) => {
    const label = `${where}: preset #${i + 1}${nameOf(item)}`;
    const parsed = PresetSchema.safeParse(item);
    if (!parsed.success) {
      for (const issue of parsed.error.issues)
        problems.push(`${label}: ${issue.path.join(".") || "(preset)"}: ${issue.message}`);
      return;
    }
    const preset = parsed.data;
    if (preset.name === "default")
      problems.push(`${label}: "default" is built from the MOA_* variables; pick another name`);
    if (seen.has(preset.name)) problems.push(`${label}: name used twice`);
    seen.add(preset.name);
    for (const p of presetProblems(preset, config))
      problems.push(`${label}: ${p.replaceAll("`", "")}`);
    presets.push(preset);
  });
  if (problems.length > 0) throw new ConfigError(problems);
  return presets;
}

function nameOf(item: unknown): string {
  const name = (item as { name?: unknown } | null)?.name;
  return typeof name === "string" ? ` "${name}"` : "";
}
