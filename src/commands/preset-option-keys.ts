import { type Preset, presetFieldBounds } from "../moa/preset.js";
import type { SetKeySpec } from "./preset-set-keys.js";

const AGREE = presetFieldBounds("agreementExit");

/** `preset set` keys for the aggregation options issue 12 added (council view, early agreement exit). */
export const OPTION_KEYS: readonly SetKeySpec[] = [
  {
    name: "style",
    summary:
      "paper (the paper's aggregator prompt) or council (also: where drafts agree, disagree, unique points, confidence)",
    example: "style=council",
    fields: ["style"],
    apply(value, draft) {
      draft.style = value as Preset["style"];
    },
    problem: ({ issue, value }) =>
      issue.code === "invalid_value"
        ? `\`style\` is ${issue.values.map((v) => `\`${String(v)}\``).join(" or ")}; got \`${value}\`.`
        : undefined,
  },
  {
    name: "agree",
    summary: `early agreement exit: skip later proposer layers when all drafts are this alike (word-set Jaccard ${AGREE.min}-${AGREE.max}, or off)`,
    example: "agree=0.8",
    fields: ["agreementExit"],
    apply(value, draft) {
      if (value === "off" || value === "none") {
        delete draft.agreementExit;
        return;
      }
      // Not a plain number: NaN, which the schema refuses, and `problem` words it.
      draft.agreementExit = /^[\d.]+$/.test(value) ? Number(value) : Number.NaN;
    },
    problem: ({ value }) =>
      `\`agree\` takes a similarity from ${AGREE.min} to ${AGREE.max}, e.g. \`agree=0.8\`, or \`agree=off\`; got \`${value}\`.`,
  },
];
