import { PRESET_LIMITS, type Preset, proposerLayerCount } from "../moa/preset.js";
import type { PresetInForce } from "./channel-preset.js";

/** A duration for people: `20s`, `1500ms`, `2m`. */
export function formatMs(ms: number): string {
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  if (ms % 1_000 === 0) return `${ms / 1_000}s`;
  return `${ms}ms`;
}

/** One line: kind, layers, proposers, aggregator. */
export function presetSummary(p: Preset): string {
  const who =
    p.kind === "self" ? `${p.proposers[0]} ×${p.samples}` : `${p.proposers.length} proposers`;
  return `${p.kind}, ${p.layers} layers, ${who}, aggregator ${p.aggregator}`;
}

/** The full preset, one setting per line, with the bounds chat edits must respect. */
export function presetDetails(p: Preset, maxTokensCeiling: number): string {
  const proposerLayers = proposerLayerCount(p);
  const proposers =
    p.kind === "self"
      ? `\`${p.proposers[0]}\` sampled ${p.samples} times (Self-MoA)`
      : p.proposers.map((m) => `\`${m}\``).join(", ");
  return [
    `- kind: ${p.kind === "self" ? "self (one model sampled several times)" : "mixture (different models)"}`,
    `- layers: ${p.layers} (${proposerLayers} proposer layer${proposerLayers === 1 ? "" : "s"} + aggregator)`,
    `- proposers: ${proposers}`,
    `- aggregator: \`${p.aggregator}\``,
    `- temperature: ${p.temperature}`,
    `- max tokens: ${p.maxTokens} per call`,
    `- min proposers: ${p.minProposers} per layer`,
    `- deadline: ${p.layerDeadlineMs === undefined ? "off" : `${formatMs(p.layerDeadlineMs)} per layer`}`,
    `- style: ${p.style}${p.style === "council" ? " (agreement, disagreement and confidence after the answer)" : ""}`,
    `- early agreement exit: ${p.agreementExit === undefined ? "off" : `when all drafts are ≥ ${p.agreementExit} alike`}`,
    `- limits: at most ${PRESET_LIMITS.maxProposersPerLayer} proposers per layer, ` +
      `${PRESET_LIMITS.minLayers}-${PRESET_LIMITS.maxLayers} layers, temperature 0-${PRESET_LIMITS.maxTemperature}, ` +
      `max tokens up to ${maxTokensCeiling}; each call times out after ${formatMs(p.callTimeoutMs)}`,
  ].join("\n");
}

/** Where a channel's preset comes from, for headings. */
export function originLine(inForce: PresetInForce): string {
  const by = inForce.setBy
    ? `, set by <@${inForce.setBy.by}> on ${inForce.setBy.at.slice(0, 10)}`
    : "";
  const base =
    inForce.source === "custom"
      ? `customised from \`${inForce.basedOn}\`${by}`
      : inForce.source === "named"
        ? `\`${inForce.preset.name}\`${by}`
        : "`default`";
  return inForce.note ? `${base} (${inForce.note})` : base;
}
