import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { dispatch } from "../src/commands/dispatch.js";
import type { Invocation } from "../src/commands/invocation.js";
import type { Kv } from "../src/store/kv.js";
import {
  discordInvocation,
  slackInvocation,
  tempSqliteKv,
  testDeps,
} from "./fixtures/commands-env.js";

const SLACK_REFUSAL = (command: string) =>
  `\`${command}\` changes presets, which only preset editors may do: users listed in MOA_ADMIN_USERS and Slack workspace admins and owners. Ask one of them, or an operator can set MOA_PRESET_EDITORS=everyone. Anyone can look: \`presets\`, \`preset\`.`;
const DISCORD_REFUSAL = (command: string) =>
  `\`${command}\` changes presets, which only preset editors may do: users listed in MOA_ADMIN_USERS and members with the Manage Channels permission. Ask one of them, or an operator can set MOA_PRESET_EDITORS=everyone. Anyone can look: \`presets\`, \`preset\`.`;

const CHANGES: Array<[text: string, command: string]> = [
  ["preset use lite", "preset use"],
  ["preset set layers=3", "preset set"],
  ["preset save mine", "preset save"],
  ["preset reset", "preset reset"],
];

let kv: Kv;
beforeEach(() => {
  kv = tempSqliteKv().kv;
});
afterEach(async () => {
  await kv.close();
});

async function textOf(inv: Invocation, deps = testDeps(kv).deps): Promise<string> {
  const result = await dispatch(inv, deps);
  if (result.kind !== "reply") throw new Error(`expected a reply, got ${result.kind}`);
  return result.text;
}

describe("Slack invocation shape", () => {
  it.each(CHANGES)("a member is refused %j, and nothing is stored", async (text, command) => {
    const { deps } = testDeps(kv);
    const inv = slackInvocation({ text });
    expect(await textOf(inv, deps)).toBe(SLACK_REFUSAL(command));
    expect(await deps.stores.presets.getChannel(inv)).toBeUndefined();
    expect(await deps.stores.presets.listSaved(inv)).toEqual(new Map());
  });

  it("anyone may read", async () => {
    for (const text of ["presets", "preset", "help"]) {
      expect(await textOf(slackInvocation({ text }))).not.toMatch(/preset editors may/);
    }
  });

  it("a user in MOA_ADMIN_USERS may change presets", async () => {
    expect(await textOf(slackInvocation({ userId: "UADMIN", text: "preset use lite" }))).toMatch(
      /^This channel now uses `lite`/,
    );
  });

  it("a workspace admin (isWorkspaceAdmin) may; a member it says no to may not", async () => {
    const asked: string[] = [];
    const isWorkspaceAdmin = async (userId: string) => {
      asked.push(userId);
      return userId === "UOWNER";
    };
    const { deps } = testDeps(kv, {}, { isWorkspaceAdmin });
    expect(
      await textOf(slackInvocation({ userId: "UOWNER", text: "preset use lite" }), deps),
    ).toMatch(/^This channel now uses/);
    expect(await textOf(slackInvocation({ userId: "UMEMBER", text: "preset reset" }), deps)).toBe(
      SLACK_REFUSAL("preset reset"),
    );
    expect(asked).toEqual(["UOWNER", "UMEMBER"]);
  });

  it("a failing admin lookup counts as no, and is logged", async () => {
    const env = testDeps(
      kv,
      {},
      {
        isWorkspaceAdmin: async () => {
          throw new Error("users.info: ratelimited");
        },
      },
    );
    expect(await textOf(slackInvocation({ text: "preset use lite" }), env.deps)).toBe(
      SLACK_REFUSAL("preset use"),
    );
    expect(env.log.lines.map((l) => l.msg)).toContain(
      "commands: admin lookup failed; treating user as not an admin",
    );
  });

  it("a hanging admin lookup is cut off after a few seconds and counts as no", async () => {
    const { deps } = testDeps(kv, {}, { isWorkspaceAdmin: () => new Promise<boolean>(() => {}) });
    const started = Date.now();
    expect(await textOf(slackInvocation({ text: "preset use lite" }), deps)).toBe(
      SLACK_REFUSAL("preset use"),
    );
    expect(Date.now() - started).toBeLessThan(4_500);
  });
});

describe("Discord invocation shape", () => {
  it.each(CHANGES)("a member without Manage Channels is refused %j", async (text, command) => {
    expect(await textOf(discordInvocation({ text }))).toBe(DISCORD_REFUSAL(command));
  });

  it("Manage Channels (platformAdmin) may change presets", async () => {
    expect(
      await textOf(discordInvocation({ text: "preset use self", platformAdmin: true })),
    ).toMatch(/^This channel now uses `self`/);
  });
});

describe("MOA_PRESET_EDITORS=everyone", () => {
  it("lifts the restriction on both platforms", async () => {
    const { deps } = testDeps(kv, { MOA_PRESET_EDITORS: "everyone" });
    expect(await textOf(slackInvocation({ text: "preset use lite" }), deps)).toMatch(
      /^This channel now uses/,
    );
    expect(await textOf(discordInvocation({ text: "preset set layers=3" }), deps)).toMatch(
      /^Updated this channel's preset/,
    );
  });
});
