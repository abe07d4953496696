import type { ChatSink, MessageControls } from "../chat-sink.js";

/** One update to the page of a conversation, sent as one Server-Sent Event. */
export type WebMessage =
  | {
      /** The presenter's message of a turn was posted (`open`) or replaced (`edit`). */
      kind: "open" | "edit";
      /** Turn (invocation eventKey) it belongs to. */
      turn: string;
      /** Presenter text (Markdown; the page escapes it before rendering). */
      text: string;
      /** Run key of the Stop button while the run is in flight. */
      stopKey?: string;
    }
  | {
      /** A draft or dropped-proposer note (`thread`), or a reply only the asker sees (`reply`). */
      kind: "thread" | "reply";
      turn: string;
      text: string;
    }
  | { /** The turn's flow is over. */ kind: "closed"; turn: string }
  | {
      /** One engine event (BotDeps.onEvent), stamped with the server's clock. */
      kind: "moa";
      turn: string;
      /** Epoch ms when the bot saw it. */
      at: number;
      event: unknown;
    };

/** The playground's ChatSink: every call becomes a message to the conversation's page(s). */
export class WebSink implements ChatSink {
  constructor(
    private readonly publish: (message: WebMessage) => void,
    private readonly conversation: string,
    private readonly turn: string,
  ) {}

  async open(text: string, controls?: MessageControls): Promise<void> {
    this.publish({ kind: "open", turn: this.turn, text, ...controlsOf(controls) });
  }

  async edit(text: string, controls?: MessageControls): Promise<void> {
    this.publish({ kind: "edit", turn: this.turn, text, ...controlsOf(controls) });
  }

  async postInThread(text: string): Promise<void> {
    this.publish({ kind: "thread", turn: this.turn, text });
  }

  async replyPrivately(text: string): Promise<void> {
    this.publish({ kind: "reply", turn: this.turn, text });
  }

  threadId(): string {
    return this.conversation;
  }

  async close(): Promise<void> {
    this.publish({ kind: "closed", turn: this.turn });
  }
}

function controlsOf(controls: MessageControls | undefined): { stopKey?: string } {
  return controls?.stopKey === undefined ? {} : { stopKey: controls.stopKey };
}
