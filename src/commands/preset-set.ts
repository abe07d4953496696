import { UsageError } from "../errors.js";
import { type Preset, PresetSchema } from "../moa/preset.js";
import { presetInForce } from "./channel-preset.js";
import { privateReply } from "./command-result.js";
import { authorship, type CommandSpec } from "./command-spec.js";
import { type ModelPolicyConfig, sentence } from "./model-policy.js";
import { presetSummary } from "./preset-format.js";
import { SET_KEYS, type SetKeySpec } from "./preset-set-keys.js";
import { nearest } from "./suggest.js";
import { tokenize } from "./tokenize.js";

const KEY_NAMES = SET_KEYS.map((k) => k.name);
const KEYS_HINT = `Keys: ${KEY_NAMES.join(", ")}.`;
type Assignment = { key: SetKeySpec; value: string };

/** Splits `key=value` tokens; UsageError for a token without `=`, an unknown or repeated key, or self with proposers. */
export function parseAssignments(tokens: readonly string[]): Assignment[] {
  const out: Assignment[] = [];
  for (const token of tokens) {
    const eq = token.indexOf("=");
    if (eq <= 0) {
      throw new UsageError(
        `\`${token}\` is not key=value. Write settings as \`key=value\` with no spaces around \`=\`, e.g. \`preset set layers=3\`. ${KEYS_HINT}`,
      );
    }
    const name = token.slice(0, eq).toLowerCase().replaceAll("-", "_");
    const key = SET_KEYS.find((k) => k.name === name);
    if (!key) {
      const guess = nearest(name, KEY_NAMES);
      throw new UsageError(
        `Unknown key \`${name}\`.${guess ? ` Did you mean \`${guess}\`?` : ""} ${KEYS_HINT}`,
      );
    }
    if (out.some((a) => a.key === key))
      throw new UsageError(`\`${name}\` is given twice; give each key once.`);
    out.push({ key, value: token.slice(eq + 1).trim() });
  }
  if (out.some((a) => a.key.name === "self") && out.some((a) => a.key.name === "proposers")) {
    throw new UsageError(
      "Give either `proposers=a,b,c` (a mixture) or `self=model*4` (Self-MoA), not both.",
    );
  }
  return out;
}

/**
 * Applies every key to `draft`, then one PresetSchema parse judges the result whole. Each issue
 * goes to the key that writes its field (a typed one first) to be worded; one problem per key.
 */
function problemsOf(assignments: Assignment[], draft: Preset, config: ModelPolicyConfig) {
  // Typed keys first, in the order typed; "" until a key has a problem.
  const problems = new Map(assignments.map((a) => [a.key.name, ""]));
  for (const { key, value } of assignments) {
    try {
      key.apply(value, draft, config);
    } catch (error) {
      if (!(error instanceof UsageError)) throw error;
      problems.set(key.name, error.userMessage);
    }
  }
  const parsed = PresetSchema.safeParse(draft);
  for (const issue of parsed.error?.issues ?? []) {
    const field = issue.path[0] as keyof Preset;
    const typed = assignments.find((a) => a.key.fields.includes(field));
    const key = typed?.key ?? SET_KEYS.find((k) => k.fields.includes(field));
    const at = { issue, value: typed?.value, draft, config };
    const name = key?.name ?? String(field);
    if (!problems.get(name))
      problems.set(name, key?.problem?.(at) ?? `\`${name}\`: ${sentence(issue.message)}`);
  }
  return { preset: parsed.data, problems: [...problems.values()].filter(Boolean) };
}

/** `preset set key=value ...`: customise this channel's preset; all keys apply or none. */
export const presetSet: CommandSpec = {
  path: ["preset", "set"],
  summary: "Change settings of this channel's preset; keys you leave out keep their value",
  usage: "preset set key=value ...",
  examples: [
    "preset set layers=3 temperature=0.5",
    "preset set proposers=gpt-4.1-mini,gpt-4o-mini deadline=20s",
    "preset set self=gpt-4.1-mini*4",
  ],
  options: [
    {
      name: "values",
      description: "key=value pairs, e.g. layers=3 temperature=0.5",
      type: "string",
      required: true,
      carriedBy: "text",
    },
  ],
  mutates: true,
  async run(rest, ctx) {
    const assignments = parseAssignments(tokenize(rest));
    if (assignments.length === 0)
      throw new UsageError(
        `Say what to change, e.g. \`preset set layers=3 temperature=0.5\`. ${KEYS_HINT}`,
      );
    const current = await presetInForce(ctx);
    const basedOn =
      current.source === "custom" ? (current.basedOn ?? "default") : current.preset.name;
    const draft = {
      ...structuredClone(current.preset),
      name: "custom",
      description: `Customised from ${basedOn}`,
    };
    const { preset, problems } = problemsOf(assignments, draft, ctx.deps.config);
    if (!preset || problems.length > 0) throw new UsageError(problems.join("\n"));
    // One write of the whole preset: a crash leaves the old preset or the new one.
    await ctx.deps.stores.presets.setChannel(
      ctx.invocation,
      { kind: "custom", preset, basedOn },
      authorship(ctx),
    );
    const changed = assignments.map((a) => a.key.name).join(", ");
    return privateReply(
      `Updated this channel's preset (${changed}): ${presetSummary(preset)}. See it all with \`preset\`.`,
    );
  },
};
