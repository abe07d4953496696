import { z } from "zod";
import { type Preset, PresetSchema } from "../moa/preset.js";
import type { Kv } from "./kv.js";
import {
  type ChannelScope,
  channelPresetKey,
  savedPresetsKey,
  type WorkspaceScope,
} from "./store-keys.js";
import type { WarnLog } from "./warn-log.js";

/** What a channel uses: a preset by name, or its own customised preset. */
export type ChannelChoice =
  | {
      /** A built-in, operator or saved preset, looked up when used. */
      kind: "named";
      /** Its name. */
      name: string;
    }
  | {
      /** A preset made with `preset set`, stored whole. */
      kind: "custom";
      /** The full preset. */
      preset: Preset;
      /** Name of the preset it was derived from. */
      basedOn: string;
    };

/** Who changed a setting and when, shown in listings. */
export interface Authorship {
  /** Platform user id. */
  by: string;
  /** ISO-8601 time of the change. */
  at: string;
}

/** A channel's stored choice with its authorship. */
export type StoredChannelChoice = Authorship & { choice: ChannelChoice };
/** A workspace preset saved with `preset save`. */
export type SavedPreset = Authorship & { preset: Preset };

const authorship = { by: z.string(), at: z.string() };
const ChannelValue = z.object({
  v: z.literal(1),
  ...authorship,
  choice: z.discriminatedUnion("kind", [
    z.object({ kind: z.literal("named"), name: z.string() }),
    z.object({ kind: z.literal("custom"), preset: PresetSchema, basedOn: z.string() }),
  ]),
});
const SavedEntry = z.object({ ...authorship, preset: PresetSchema });
// Entries are checked one by one below, so one bad entry does not hide the others.
const SavedValue = z.object({ v: z.literal(1), presets: z.record(z.string(), z.unknown()) });

/**
 * Channel preset choices and workspace-saved presets. Every read is validated;
 * a corrupt or old-format value is logged and read as absent. Every change is a
 * single key write, so a crash leaves the old value or the new one.
 */
export class PresetStore {
  constructor(
    private readonly kv: Kv,
    private readonly log: WarnLog,
  ) {}

  /** The channel's choice, or undefined when it has none (the default applies). */
  async getChannel(scope: ChannelScope): Promise<StoredChannelChoice | undefined> {
    const key = channelPresetKey(scope);
    const raw = await this.kv.get(key);
    const parsed = ChannelValue.safeParse(raw);
    if (parsed.success)
      return { by: parsed.data.by, at: parsed.data.at, choice: parsed.data.choice };
    this.reportCorrupt(key, parsed.error, raw);
    return undefined;
  }

  /** Sets the channel's choice in one write. */
  async setChannel(scope: ChannelScope, choice: ChannelChoice, who: Authorship): Promise<void> {
    await this.kv.set(channelPresetKey(scope), { v: 1, ...who, choice });
  }

  /** Forgets the channel's choice (back to the default). */
  async clearChannel(scope: ChannelScope): Promise<void> {
    await this.kv.delete(channelPresetKey(scope));
  }

  /** Presets saved in the workspace, by name; bad entries are logged and skipped. */
  async listSaved(scope: WorkspaceScope): Promise<Map<string, SavedPreset>> {
    const key = savedPresetsKey(scope);
    const raw = await this.kv.get(key);
    const saved = new Map<string, SavedPreset>();
    const parsed = SavedValue.safeParse(raw);
    if (!parsed.success) {
      this.reportCorrupt(key, parsed.error, raw);
      return saved;
    }
    for (const [name, value] of Object.entries(parsed.data.presets)) {
      const entry = SavedEntry.safeParse(value);
      if (entry.success) saved.set(name, entry.data);
      else
        this.log.warn(
          { key, name, issues: entry.error.issues.length },
          "store: saved preset invalid; ignored",
        );
    }
    return saved;
  }

  /** Saves (or replaces) one workspace preset: read, add, one write of the whole map. */
  async save(scope: WorkspaceScope, preset: Preset, who: Authorship): Promise<void> {
    const saved = await this.listSaved(scope);
    saved.set(preset.name, { ...who, preset });
    await this.kv.set(savedPresetsKey(scope), { v: 1, presets: Object.fromEntries(saved) });
  }

  private reportCorrupt(key: string, error: z.ZodError, raw: unknown): void {
    if (raw === undefined) return;
    this.log.warn(
      { key, issues: error.issues.length },
      "store: value has an unknown shape; treated as absent",
    );
  }
}
