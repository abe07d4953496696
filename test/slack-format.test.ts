import { describe, expect, it } from "vitest";
import { splitForLimit } from "../src/bots/render-policy.js";
import {
  fallbackText,
  MARKDOWN_BLOCK_MAX_CHARS,
  slackMessage,
} from "../src/bots/slack/markdown.js";
import { neutralizeSlack } from "../src/bots/slack/neutralize.js";
import { slackProfile } from "../src/bots/slack/profile.js";

const J = "\u2060";

describe("neutralizeSlack", () => {
  it("defuses every Slack mention token, keeping it readable", () => {
    const out = neutralizeSlack(
      "ping <!channel> <!here> <!everyone> <@U123> <@U9|bob> <!subteam^S77|@devs> <!subteam^S78>",
    );
    expect(out).toBe(
      `ping @${J}channel @${J}here @${J}everyone @${J}U123 @${J}bob @${J}devs @${J}S78`,
    );
    expect(out).not.toMatch(/<[@!]/);
  });

  it("defuses entity-escaped tokens and bare broadcast words", () => {
    expect(neutralizeSlack("&lt;!here&gt; and @channel, (@everyone) @Here")).toBe(
      `@${J}here and @${J}channel, (@${J}everyone) @${J}Here`,
    );
  });

  it("leaves e-mail addresses, channel links and ordinary text alone; is idempotent", () => {
    const text = "mail ops@here.com, see <#C123|general>, a<b>c";
    expect(neutralizeSlack(text)).toBe(text);
    const once = neutralizeSlack("<!here> @channel <@U1>");
    expect(neutralizeSlack(once)).toBe(once);
  });
});

describe("Slack message bodies", () => {
  it("sends Markdown untouched in one markdown block, code fences included", () => {
    const md =
      "## Plan\n\n```ts\nconst a = 1 < 2 && 3 > 2;\n```\n\n| a | b |\n|---|---|\n| 1 | 2 |";
    const body = slackMessage(md);
    expect(body.blocks).toEqual([{ type: "markdown", text: md }]);
  });

  it("gives a short, escaped, plain fallback for notifications", () => {
    expect(fallbackText("**Bold** <x> & `code`")).toBe("Bold &lt;x&gt; &amp; code");
    expect(fallbackText("x".repeat(1000)).length).toBeLessThanOrEqual(280);
    expect(slackMessage("   ").blocks).toEqual([{ type: "markdown", text: " " }]);
  });

  it("profile: one markdown block's worth per message, splits keep fences renderable", () => {
    expect(slackProfile.maxMessageChars).toBe(MARKDOWN_BLOCK_MAX_CHARS);
    const code = `\`\`\`py\n${"print(1)\n".repeat(3000)}\`\`\``;
    const parts = splitForLimit(code, slackProfile.maxMessageChars);
    expect(parts.length).toBeGreaterThan(1);
    for (const p of parts) {
      expect(p.length).toBeLessThanOrEqual(MARKDOWN_BLOCK_MAX_CHARS);
      expect(p.startsWith("```py")).toBe(true);
      expect(p.trimEnd().endsWith("```")).toBe(true);
    }
  });
});
