import { UsageError } from "../errors.js";
import { type Preset, PresetSchema } from "../moa/preset.js";
import { presetInForce } from "./channel-preset.js";
import { privateReply } from "./command-result.js";
import { authorship, type CommandSpec } from "./command-spec.js";
import { presetSummary } from "./preset-format.js";
import { SET_KEYS, type SetKeySpec } from "./preset-set-keys.js";
import { nearest } from "./suggest.js";
import { tokenize } from "./tokenize.js";

const KEY_NAMES = SET_KEYS.map((k) => k.name);
const KEYS_HINT = `Keys: ${KEY_NAMES.join(", ")}.`;
/** PresetSchema field -> the `preset set` key that sets it, for schema messages. */
const KEY_OF_FIELD: Record<string, string> = {
  maxTokens: "max_tokens",
  minProposers: "min_proposers",
  layerDeadlineMs: "deadline",
  samples: "self",
};

/** Splits `key=value` tokens; UsageError for a token without `=`, an unknown or repeated key, or self with proposers. */
export function parseAssignments(
  tokens: readonly string[],
): Array<{ key: SetKeySpec; value: string }> {
  const out: Array<{ key: SetKeySpec; value: string }> = [];
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

/** Rules that span keys, checked before the schema so the message names the keys people type. */
function checkCombination(p: Preset): void {
  const perLayer = p.kind === "self" ? p.samples : p.proposers.length;
  if (p.kind === "self" && p.temperature <= 0) {
    throw new UsageError(
      "Self-MoA needs `temperature` above 0, or every sample is the same answer; e.g. `temperature=0.7`.",
    );
  }
  if (p.minProposers > perLayer) {
    throw new UsageError(
      `\`min_proposers\` is ${p.minProposers} but each layer has only ${perLayer} proposer${perLayer === 1 ? "" : "s"}; lower it, e.g. \`min_proposers=${perLayer}\`.`,
    );
  }
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
    const draft = structuredClone(current.preset);
    for (const { key, value } of assignments) key.apply(value, draft, ctx.deps.config);
    checkCombination(draft);
    const basedOn =
      current.source === "custom" ? (current.basedOn ?? "default") : current.preset.name;
    const parsed = PresetSchema.safeParse({
      ...draft,
      name: "custom",
      description: `Customised from ${basedOn}`,
    });
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const field = String(issue?.path[0] ?? "preset");
      throw new UsageError(
        `That preset would not be valid: \`${KEY_OF_FIELD[field] ?? field}\`: ${issue?.message}.`,
      );
    }
    // One write of the whole preset: a crash leaves the old preset or the new one.
    await ctx.deps.stores.presets.setChannel(
      ctx.invocation,
      { kind: "custom", preset: parsed.data, basedOn },
      authorship(ctx),
    );
    const changed = assignments.map((a) => a.key.name).join(", ");
    return privateReply(
      `Updated this channel's preset (${changed}): ${presetSummary(parsed.data)}. See it all with \`preset\`.`,
    );
  },
};
