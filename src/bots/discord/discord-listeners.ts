import {
  type AutocompleteInteraction,
  type ButtonInteraction,
  type ChatInputCommandInteraction,
  type Client,
  Events,
  type Message,
  type MessageComponentInteraction,
  MessageFlags,
} from "discord.js";
import type { Invocation } from "../../commands/invocation.js";
import type { Logger } from "../../log.js";
import { STOP_REPLIES, type StopResult } from "../admission/run-gate.js";
import type { VoteFn } from "../feedback.js";
import type { RegeneratePress } from "../regenerate.js";
import { completesPresetName } from "./command-definitions.js";
import type { Anchor } from "./discord-sink.js";
import { commandFacts, messageFacts, place } from "./event-facts.js";
import { ExistingMessageAnchor } from "./existing-message-anchor.js";
import { parseFeedbackCustomId, parseRegenerateCustomId } from "./feedback-buttons.js";
import { onFeedbackPress } from "./feedback-press.js";
import { DEFER_AFTER_MS, InteractionAnchor } from "./interaction-anchor.js";
import { MessageAnchor } from "./message-anchor.js";
import { NO_MENTIONS } from "./profile.js";
import type { StopButtons } from "./stop-button.js";
import { commandToInvocation, messageToInvocation } from "./to-invocation.js";

/** Discord caps autocomplete answers at 25 choices. */
const MAX_CHOICES = 25;

/** What the listeners hand work to and read from. */
export interface DiscordListenerDeps {
  /** Answer DMs (DISCORD_ALLOW_DMS). */
  allowDms: boolean;
  /** Starts the shared flow for an invocation answered through `anchor`. */
  start(inv: Invocation, anchor: Anchor): void;
  /** Preset names usable in a guild ("dm" for DMs), for `/moa preset:` autocomplete. */
  presetNames(workspaceId: string): Promise<string[]>;
  /** Clock, ms (decides when an interaction token is treated as expired). */
  now: () => number;
  /**
   * Real-time wait before an unanswered interaction (a command, or a Stop press still being
   * decided by another instance) is deferred, ms (tests shorten it).
   */
  deferAfterMs?: number;
  /** Custom ids of the Stop buttons this bot's sinks put on answer messages. */
  stopButtons: StopButtons;
  /**
   * A Stop press by `userId` on run `runKey` (the run gate, which may ask other instances);
   * absent = no run can be stopped.
   */
  stop?: (runKey: string, userId: string) => Promise<StopResult>;
  /** Records a 👍/👎 press; absent = presses are answered "not recorded". */
  vote?: VoteFn;
  /** Starts a regenerate of a run into the pressed message (in the background). */
  regenerate?: (press: RegeneratePress, anchor: Anchor) => void;
  /** Structured log. */
  log: Logger;
}

/** Preset names matching what the user typed so far, best first, at most 25. */
export function presetChoices(
  names: readonly string[],
  typed: string,
): Array<{ name: string; value: string }> {
  const t = typed.trim().toLowerCase();
  const starts = names.filter((n) => n.toLowerCase().startsWith(t));
  const contains = names.filter(
    (n) => !n.toLowerCase().startsWith(t) && n.toLowerCase().includes(t),
  );
  return [...starts, ...contains].slice(0, MAX_CHOICES).map((n) => ({ name: n, value: n }));
}

/**
 * Wires slash commands, preset autocomplete and messages (mentions, drafts-thread
 * follow-ups, allowed DMs) to `deps.start`, and Stop button presses to `deps.stop`.
 * Everything else is ignored, bots and the bot itself included; a listener never
 * throws into discord.js.
 */
export function registerDiscordListeners(client: Client, deps: DiscordListenerDeps): void {
  const { log } = deps;
  const ctx = () => ({ botId: client.user?.id ?? "", allowDms: deps.allowDms });

  const onCommand = async (interaction: ChatInputCommandInteraction): Promise<void> => {
    const inv = commandToInvocation(commandFacts(interaction), ctx());
    if (!inv) {
      await interaction.reply({
        content: interaction.guildId ? "Unknown command." : "I only answer in servers here.",
        flags: MessageFlags.Ephemeral,
        allowedMentions: NO_MENTIONS,
      });
      return;
    }
    const anchor = new InteractionAnchor(interaction, {
      now: deps.now,
      receivedAt: deps.now(),
      ...(deps.deferAfterMs !== undefined && { deferAfterMs: deps.deferAfterMs }),
      onError: (err, what) =>
        log.warn({ err, what, event: inv.eventKey }, "interaction call failed"),
    });
    deps.start(inv, anchor);
  };

  const onAutocomplete = async (interaction: AutocompleteInteraction): Promise<void> => {
    const focused = interaction.options.getFocused(true);
    const sub = interaction.options.getSubcommand(false);
    if (!completesPresetName(interaction.commandName, sub, focused.name)) {
      await interaction.respond([]);
      return;
    }
    const names = await deps.presetNames(interaction.guildId ?? "dm").catch((err: unknown) => {
      log.warn({ err }, "preset names unavailable for autocomplete");
      return [] as string[];
    });
    await interaction.respond(presetChoices(names, String(focused.value)));
  };

  /**
   * A Stop press: the gate decides (asker or admin, run still in flight, here or on another
   * instance). A stop is acknowledged silently (the presenter's final edit says it and
   * removes the button); anything else gets an ephemeral reply to the presser. Both go out
   * well within Discord's 3 s: a decision that takes longer (another instance being asked)
   * is deferred first and a refusal then follows up ephemerally.
   */
  const onButton = async (interaction: ButtonInteraction): Promise<void> => {
    const feedback = parseFeedbackCustomId(interaction.customId);
    if (feedback) return onFeedbackPress(interaction, feedback, deps);
    const regenerateKey = parseRegenerateCustomId(interaction.customId);
    if (regenerateKey !== undefined) return onRegeneratePress(interaction, regenerateKey);
    const runKey = deps.stopButtons.stopKey(interaction.customId);
    if (runKey === undefined) {
      // Acked anyway: without a response Discord shows the presser "This interaction failed".
      log.debug({ customId: interaction.customId }, "button of no known kind ignored");
      await interaction.deferUpdate();
      return;
    }
    const userId = interaction.user.id;
    const decision: Promise<StopResult> = deps.stop
      ? deps.stop(runKey, userId)
      : Promise.resolve("not-running");
    let timer: NodeJS.Timeout | undefined;
    const early = await Promise.race([
      decision,
      new Promise<undefined>((resolve) => {
        timer = setTimeout(() => resolve(undefined), deps.deferAfterMs ?? DEFER_AFTER_MS);
      }),
    ]);
    clearTimeout(timer);
    const notAcked = (result?: StopResult) => (err: unknown) =>
      log.warn({ err, event: runKey, result }, "stop press not acknowledged");
    // Still undecided: acknowledge now (the button stays as it is), answer when known.
    if (early === undefined) await interaction.deferUpdate().catch(notAcked());
    const result = early ?? (await decision);
    log.info({ event: runKey, user: userId, result }, "stop pressed");
    if (result === "stopped") {
      if (early !== undefined) await interaction.deferUpdate().catch(notAcked(result));
      return;
    }
    const reply = {
      content: STOP_REPLIES[result],
      flags: MessageFlags.Ephemeral,
      allowedMentions: NO_MENTIONS,
    } as const;
    const ack = early === undefined ? interaction.followUp(reply) : interaction.reply(reply);
    await ack.catch(notAcked(result));
  };

  /** A select menu or other component this bot never sent (an older layout): acked, ignored. */
  const ignoreComponent = async (interaction: MessageComponentInteraction): Promise<void> => {
    log.debug({ customId: interaction.customId }, "component of no known kind ignored");
    await interaction.deferUpdate();
  };

  /** Acknowledged at once without a visible change; the regenerate then rewrites the message. */
  const onRegeneratePress = async (interaction: ButtonInteraction, runKey: string) => {
    await interaction.deferUpdate();
    if (!deps.regenerate) return;
    deps.regenerate(
      {
        platform: "discord",
        workspaceId: interaction.guildId ?? "dm",
        // An answer in a thread counts under the thread's parent, as its run did.
        channelId: place(interaction.channelId, interaction.channel).channelId,
        userId: interaction.user.id,
        runKey,
      },
      new ExistingMessageAnchor(interaction.message, (text) =>
        interaction.followUp({
          content: text,
          flags: MessageFlags.Ephemeral,
          allowedMentions: NO_MENTIONS,
        }),
      ),
    );
  };

  client.on(Events.InteractionCreate, (interaction) => {
    const handled = interaction.isChatInputCommand()
      ? onCommand(interaction)
      : interaction.isAutocomplete()
        ? onAutocomplete(interaction)
        : interaction.isButton()
          ? onButton(interaction)
          : interaction.isMessageComponent()
            ? ignoreComponent(interaction)
            : Promise.resolve();
    handled.catch((err: unknown) =>
      log.error({ err, interaction: interaction.id }, "interaction not handled"),
    );
  });

  client.on(Events.MessageCreate, (message: Message) => {
    try {
      const inv = messageToInvocation(messageFacts(message, ctx().botId), ctx());
      if (inv) deps.start(inv, new MessageAnchor(message));
    } catch (err) {
      log.error({ err, message: message.id }, "message not handled");
    }
  });
}
