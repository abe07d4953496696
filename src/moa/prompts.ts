import { randomBytes } from "node:crypto";
import type { ChatMessage } from "./messages.js";

/** The paper's Aggregate-and-Synthesize system prompt, word for word (togethercomputer/MoA utils.py). */
export const AGGREGATE_AND_SYNTHESIZE =
  "You have been provided with a set of responses from various open-source models to the latest user query. " +
  "Your task is to synthesize these responses into a single, high-quality response. " +
  "It is crucial to critically evaluate the information provided in these responses, recognizing that some of it may be biased or incorrect. " +
  "Your response should not simply replicate the given answers but should offer a refined, accurate, and comprehensive reply to the instruction. " +
  "Ensure your response is well-structured, coherent, and adheres to the highest standards of accuracy and reliability.\n\n" +
  "Responses from models:";

/** Heading of the council section the aggregator writes after its answer (`style: council`). */
export const COUNCIL_HEADING = "### Council notes";

/**
 * What a council-style aggregator is asked for, after the references (which stay as the
 * paper's prompt delimits them): the answer first, then a short section on where the
 * responses agree, disagree (and on what assumption), what only one gave, and a confidence.
 */
export const COUNCIL_INSTRUCTIONS =
  "First write your answer exactly as instructed above; it must stand on its own. " +
  `Then, after a blank line, add a short section that starts with the line "${COUNCIL_HEADING}" and has four bullet points: ` +
  "**Agree:** what the responses agree on; " +
  "**Disagree:** where they differ, and the assumption each difference rests on; " +
  "**Only one:** what only one response contributed, naming it by its number; " +
  "**Confidence:** high, medium or low, with a one-line reason. " +
  "Keep the section under 150 words and put nothing after it.";

/** How references are written into a prompt. */
export interface ReferenceOptions {
  /** `council` adds COUNCIL_INSTRUCTIONS after the references (final aggregator only); default `paper`. */
  style?: "paper" | "council";
  /** Random per-prompt token in the delimiters, so a draft cannot write a matching one. */
  nonce: string;
  /** Each reference is cut to this many characters, with a visible marker. */
  maxChars: number;
}

/** A fresh delimiter nonce (8 hex digits); use one per built prompt, not per run, since later layers see earlier prompts. */
export function newNonce(): string {
  return randomBytes(4).toString("hex");
}

/** Layer-1 proposers answer the conversation exactly as the user wrote it. */
export function proposerMessages(conversation: ChatMessage[]): ChatMessage[] {
  return conversation;
}

/**
 * The conversation for a later proposer layer or the aggregator: the paper's prompt with
 * the numbered references, appended to an existing system message after a blank line, or
 * prepended as a new one. Only this turn's references are added; the history is untouched.
 */
export function withReferences(
  conversation: ChatMessage[],
  references: readonly string[],
  options: ReferenceOptions,
): ChatMessage[] {
  if (references.length === 0) return conversation;
  const prompt = referencesPrompt(references, options);
  const [first, ...rest] = conversation;
  if (first?.role === "system") {
    return [{ role: "system", content: `${first.content}\n\n${prompt}` }, ...rest];
  }
  return [{ role: "system", content: prompt }, ...conversation];
}

/**
 * The system prompt text: paper wording, then one numbered block per reference,
 * `N. <response-NONCE n="N">` ... `</response-NONCE>`. Delimiter-looking text inside a
 * reference is escaped, and the nonce is unknown to the models that wrote the drafts,
 * so no draft can close its block early or pose as another.
 */
export function referencesPrompt(references: readonly string[], options: ReferenceOptions): string {
  const tag = `response-${options.nonce}`;
  let out = AGGREGATE_AND_SYNTHESIZE;
  references.forEach((text, i) => {
    const n = i + 1;
    out += `\n${n}. <${tag} n="${n}">\n${escapeDelimiters(truncateReference(text, options.maxChars))}\n</${tag}>`;
  });
  if (options.style === "council") out += `\n\n${COUNCIL_INSTRUCTIONS}`;
  return out;
}

/** Cuts `text` to `maxChars` (never inside a surrogate pair) and says how much was cut. */
export function truncateReference(text: string, maxChars: number): string {
  if (text.length <= maxChars) return text;
  let cut = maxChars;
  const code = text.charCodeAt(cut - 1);
  if (code >= 0xd800 && code <= 0xdbff) cut--;
  return `${text.slice(0, cut)}\n[… truncated: ${text.length - cut} more characters not shown]`;
}

const DELIMITER_LIKE = /<(\/?response)/gi;

/** Neutralizes anything shaped like a reference delimiter, whatever its nonce. */
function escapeDelimiters(text: string): string {
  return text.replace(DELIMITER_LIKE, "&lt;$1");
}
