import type { ChatMessage } from "./messages.js";

/** A conversation cut to the history budget. */
export interface TrimmedHistory {
  /** System messages, the kept history, then the current turn. */
  messages: ChatMessage[];
  /** Earlier turns dropped. */
  droppedTurns: number;
  /** Characters of content dropped. */
  droppedChars: number;
}

/**
 * Trims the history (every turn between the system messages and the last, current
 * turn) oldest first until its content fits `budgetChars`. System messages and the
 * current turn are always kept. After trimming the history starts with a user turn,
 * because several providers reject a conversation whose first turn is the assistant's.
 */
export function trimHistory(messages: ChatMessage[], budgetChars: number): TrimmedHistory {
  const system: ChatMessage[] = [];
  const turns: ChatMessage[] = [];
  for (const m of messages) (m.role === "system" ? system : turns).push(m);
  const current = turns.pop();
  let size = 0;
  for (const t of turns) size += t.content.length;
  let first = 0;
  let droppedChars = 0;
  const drop = () => {
    const len = (turns[first] as ChatMessage).content.length;
    size -= len;
    droppedChars += len;
    first++;
  };
  while (first < turns.length && size > budgetChars) drop();
  if (first === 0) return { messages, droppedTurns: 0, droppedChars: 0 };
  while (first < turns.length && turns[first]?.role !== "user") drop();
  const kept = turns.slice(first);
  if (current) kept.push(current);
  return { messages: [...system, ...kept], droppedTurns: first, droppedChars };
}
