import { createHash } from "node:crypto";
import {
  type APIActionRowComponent,
  type APIButtonComponentWithCustomId,
  ButtonStyle,
  ComponentType,
} from "discord.js";
import { type MessageControls, STOP_ACTION_ID } from "../chat-sink.js";

/** Discord rejects a custom id longer than 100 characters. */
export const MAX_CUSTOM_ID_CHARS = 100;

/** How many hashed keys are remembered; a press on an older one reads as "already finished". */
const MAX_HASHED_KEYS = 10_000;

const PREFIX = `${STOP_ACTION_ID}:`;

/** Message `components`: action rows of buttons (only ever the one Stop button). */
export type ButtonRows = APIActionRowComponent<APIButtonComponentWithCustomId>[];

/**
 * Maps run keys to Stop button custom ids (`moa_stop:<runKey>`) and back. A key too long
 * for Discord's 100 characters travels as a short hash instead, remembered here (the
 * newest `MAX_HASHED_KEYS`), so the listener that sees the press finds the run again.
 */
export class StopButtons {
  readonly #hashed = new Map<string, string>();

  /** The custom id of the Stop button of run `stopKey`. */
  customId(stopKey: string): string {
    const plain = PREFIX + stopKey;
    if (plain.length <= MAX_CUSTOM_ID_CHARS) return plain;
    const id = `${PREFIX}#${createHash("sha256").update(stopKey).digest("base64url").slice(0, 32)}`;
    this.#hashed.delete(id);
    this.#hashed.set(id, stopKey);
    if (this.#hashed.size > MAX_HASHED_KEYS) {
      const oldest = this.#hashed.keys().next().value;
      if (oldest !== undefined) this.#hashed.delete(oldest);
    }
    return id;
  }

  /** The run key a pressed custom id stands for; undefined when it is not a Stop button. */
  stopKey(customId: string): string | undefined {
    if (!customId.startsWith(PREFIX)) return undefined;
    return this.#hashed.get(customId) ?? customId.slice(PREFIX.length);
  }

  /**
   * The `components` of a send or edit: one row with a red Stop button while the run is
   * in flight, none (`[]`, which removes the button) once `controls` are gone.
   */
  components(controls: MessageControls | undefined): ButtonRows {
    if (controls?.stopKey === undefined) return [];
    return [
      {
        type: ComponentType.ActionRow,
        components: [
          {
            type: ComponentType.Button,
            style: ButtonStyle.Danger,
            label: "Stop",
            custom_id: this.customId(controls.stopKey),
          },
        ],
      },
    ];
  }
}
