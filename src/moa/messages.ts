/** Who wrote a chat turn, in the OpenAI chat-completions sense. */
export type Role = "system" | "user" | "assistant";

/** One turn of a conversation as every model sees it. */
export interface ChatMessage {
  /** Author of the turn. */
  role: Role;
  /** Plain text (Markdown allowed); never contains drafts of earlier turns. */
  content: string;
}
