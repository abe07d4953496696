import { UsageError } from "../errors.js";
import { privateReply } from "./command-result.js";
import type { CommandSpec } from "./command-spec.js";
import type { Platform } from "./invocation.js";
import { modelProblem, sentence, withModelHint } from "./model-policy.js";
import { tokenize } from "./tokenize.js";

/** Where `regenerate` works, per platform: data, not branches. */
export const REGENERATE_WHERE: Record<Platform, string> = {
  slack:
    "Use it in the thread of one of my answers by mentioning me there, e.g. `@MoA regenerate aggregator=gpt-4o` (Slack does not tell apps which thread a `/moa` command was typed in).",
  discord:
    "Use `/moa-regenerate` in the drafts thread of one of my answers, or reply to the answer mentioning me: `@MoA regenerate aggregator=gpt-4o`.",
  web: "The playground keeps no answer messages to rewrite; ask again instead.",
};

/** What `regenerate` answers when it cannot start, before any drafts are read. */
export const REGENERATE_COMMAND_REPLIES = {
  notInThread: (platform: Platform) =>
    `\`regenerate\` rewrites the last answer of a thread. ${REGENERATE_WHERE[platform]}`,
  noRun: (platform: Platform) =>
    `I have no answer in this thread to regenerate (or it is older than the run records are kept). ${REGENERATE_WHERE[platform]}`,
  unavailable: "This bot keeps no run records, so there is nothing to regenerate.",
} as const;

const KEYED = /^aggregator=/i;

/** The aggregator of `aggregator=MODEL` (quotes allowed), undefined for nothing; a UsageError otherwise. */
function aggregatorOf(rest: string): string | undefined {
  const tokens = tokenize(rest);
  if (tokens.length === 0) return undefined;
  const [only] = tokens;
  if (tokens.length > 1 || only === undefined || !KEYED.test(only))
    throw new UsageError(
      `\`${regenerate.usage}\` takes only \`aggregator=MODEL\`, e.g. \`regenerate aggregator=gpt-4o\`; got \`${rest.trim()}\`. ` +
        "To ask a question that starts with that word, write `ask regenerate ...`.",
    );
  const model = only.replace(KEYED, "");
  if (model === "")
    throw new UsageError("`aggregator` needs a model id, e.g. `regenerate aggregator=gpt-4o`.");
  return model;
}

/**
 * `regenerate [aggregator=MODEL]`: the last run answered in this thread is aggregated again
 * from its stored drafts (no proposer runs), into its answer message. Here: where it was
 * typed, the model policy and the thread's last run; the bot then checks the drafts and
 * who may (the asker or an admin) and rewrites the message.
 */
export const regenerate: CommandSpec = {
  path: ["regenerate"],
  summary: "Rewrite this thread's last answer from its drafts, optionally with another aggregator",
  usage: "regenerate [aggregator=MODEL]",
  examples: ["regenerate", "regenerate aggregator=gpt-4o"],
  options: [
    {
      name: "aggregator",
      description: "Aggregator model for this once (default: the answer's own)",
      type: "string",
      required: false,
      carriedBy: "text",
      keyed: true,
    },
  ],
  mutates: false,
  // "regenerate the table as CSV" is a question; one word after it is a mistyped option.
  claims: (rest) => tokenize(rest).length <= 1 || KEYED.test(rest.trim()),
  async run(rest, ctx) {
    const aggregator = aggregatorOf(rest);
    const inv = ctx.invocation;
    const threadId = inv.threadId ?? inv.repliesTo;
    if (threadId === undefined)
      return privateReply(REGENERATE_COMMAND_REPLIES.notInThread(inv.platform));
    const threadRuns = ctx.deps.stores.threadRuns;
    if (!threadRuns) return privateReply(REGENERATE_COMMAND_REPLIES.unavailable);
    if (aggregator !== undefined) {
      const problem = modelProblem(aggregator, ctx.deps.config);
      if (problem)
        throw new UsageError(
          `Unknown model for \`aggregator\`: ${sentence(withModelHint(problem, aggregator, ctx.deps.config))}`,
        );
    }
    const last = await threadRuns.get({ ...inv, threadId });
    if (!last) return privateReply(REGENERATE_COMMAND_REPLIES.noRun(inv.platform));
    return {
      kind: "regenerate",
      runKey: last.runKey,
      message: last.message,
      ...(aggregator !== undefined && { aggregator }),
    };
  },
};
