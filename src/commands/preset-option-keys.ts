import { UsageError } from "../errors.js";
import type { SetKeySpec } from "./preset-set-keys.js";

/** `preset set` keys for the aggregation options issue 12 added (council view, early agreement exit). */
export const OPTION_KEYS: readonly SetKeySpec[] = [
  {
    name: "style",
    summary:
      "paper (the paper's aggregator prompt) or council (also: where drafts agree, disagree, unique points, confidence)",
    example: "style=council",
    apply(value, draft) {
      if (value !== "paper" && value !== "council")
        throw new UsageError(`\`style\` is \`paper\` or \`council\`; got \`${value}\`.`);
      draft.style = value;
    },
  },
  {
    name: "agree",
    summary:
      "early agreement exit: skip later proposer layers when all drafts are this alike (word-set Jaccard 0.05-1, or off)",
    example: "agree=0.8",
    apply(value, draft) {
      if (value === "off" || value === "none") {
        delete draft.agreementExit;
        return;
      }
      const n = /^(0?\.\d+|1(\.0*)?|0)$/.test(value) ? Number(value) : Number.NaN;
      if (!(n >= 0.05 && n <= 1))
        throw new UsageError(
          `\`agree\` takes a similarity from 0.05 to 1, e.g. \`agree=0.8\`, or \`agree=off\`; got \`${value}\`.`,
        );
      draft.agreementExit = n;
    },
  },
];
