import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { ApplicationCommandOptionType as T } from "discord.js";
import { describe, expect, it } from "vitest";
import { completesPresetName, discordCommands } from "../src/bots/discord/command-definitions.js";
import { presetChoices } from "../src/bots/discord/discord-listeners.js";
import { registerCommands } from "../src/bots/discord/register-commands.js";
import { COMMANDS } from "../src/commands/registry.js";
import { FakeDiscord } from "./fake-discord.js";

describe("Discord command definitions, generated from the registry", () => {
  const commands = discordCommands({ allowDms: false });
  const byName = new Map(commands.map((c) => [c.name, c]));

  it("makes /moa with a required prompt and an autocompleted preset", () => {
    const moa = byName.get("moa");
    expect(moa?.options).toEqual([
      expect.objectContaining({ name: "prompt", type: T.String, required: true }),
      expect.objectContaining({
        name: "preset",
        type: T.String,
        required: false,
        autocomplete: true,
      }),
    ]);
    expect(moa?.default_member_permissions).toBeUndefined();
    expect(completesPresetName("moa", null, "preset")).toBe(true);
    expect(completesPresetName("moa", null, "prompt")).toBe(false);
  });

  it("groups preset management under /moa-preset, hidden from non-admins by default", () => {
    const preset = byName.get("moa-preset");
    const subs = preset?.options?.map((o) => [o.name, o.type]);
    expect(subs).toEqual([
      ["list", T.Subcommand],
      ["show", T.Subcommand],
      ["use", T.Subcommand],
      ["set", T.Subcommand],
      ["save", T.Subcommand],
      ["reset", T.Subcommand],
    ]);
    expect(preset?.default_member_permissions).toBe("16"); // Manage Channels
  });

  it("covers every registry command exactly once, within Discord's limits", () => {
    const leaves = commands.flatMap((c): unknown[] =>
      c.options?.[0]?.type === T.Subcommand ? c.options : [c],
    );
    expect(leaves).toHaveLength(COMMANDS.length);
    for (const c of commands) {
      expect(c.name).toMatch(/^[-_a-z0-9]{1,32}$/);
      expect(c.description.length).toBeGreaterThan(0);
      expect(c.description.length).toBeLessThanOrEqual(100);
      expect(c.contexts).toEqual([0]);
    }
    expect(discordCommands({ allowDms: true })[0]?.contexts).toEqual([0, 1]);
  });

  it("registers on the guild when one is set, else globally, by bulk overwrite", async () => {
    const puts: string[] = [];
    const rest = {
      put: async (route: string) => {
        puts.push(route);
        return [1, 2];
      },
    };
    await registerCommands(rest as never, { appId: "A", guildId: "G", commands });
    expect(await registerCommands(rest as never, { appId: "A", commands })).toBe(2);
    expect(puts).toEqual(["/applications/A/guilds/G/commands", "/applications/A/commands"]);
  });
});

describe("npm run register:discord", () => {
  it("registers the generated commands on the configured guild and says so", async () => {
    const fake = await FakeDiscord.start();
    try {
      const { stdout } = await promisify(execFile)(
        "node_modules/.bin/tsx",
        ["src/bots/discord/register-commands.ts"],
        {
          env: {
            ...process.env,
            DISCORD_BOT_TOKEN: "fake-token",
            DISCORD_APPLICATION_ID: fake.appId,
            DISCORD_GUILD_ID: fake.guildId,
            DISCORD_API_URL: fake.apiUrl,
          },
        },
      );
      const [put] = fake.callsTo("PUT", /\/commands$/);
      expect(put?.path).toBe(`/applications/${fake.appId}/guilds/${fake.guildId}/commands`);
      expect(put?.body).toEqual(discordCommands({ allowDms: false }));
      expect(stdout).toContain(`commands guild ${fake.guildId}`);
    } finally {
      await fake.close();
    }
  });
});

describe("preset autocomplete", () => {
  it("puts prefix matches first, then substring matches, at most 25", () => {
    expect(
      presetChoices(["default", "deep", "lite", "team-deep"], "de").map((c) => c.value),
    ).toEqual(["default", "deep", "team-deep"]);
    expect(
      presetChoices(
        Array.from({ length: 40 }, (_, i) => `p${i}`),
        "",
      ),
    ).toHaveLength(25);
  });
});
