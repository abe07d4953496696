/**
 * Slack turns `<!here>`, `<!channel>`, `<!everyone>`, `<@U123>` and `<!subteam^S123>` into
 * notifications wherever it parses message markup, and a model can write any of them. A
 * WORD JOINER (U+2060) after the `@` keeps the text readable ("@here") while no longer
 * matching any mention syntax.
 */
const JOINER = "\u2060";

/**
 * `<@U123>`, `<@U123|bob>`, `<!here>`, `<!subteam^S1|@devs>`; also entity-escaped (`&lt;!here&gt;`),
 * because a Markdown renderer may decode entities before Slack reads the markup.
 */
const TOKEN = /(?:<|&lt;)([@!])([^<>|&\s]*)(?:\|([^<>]*?))?(?:>|&gt;)/g;

/** Bare words Slack may expand into broadcasts when it parses names (`link_names`). */
const BROADCAST = /(^|[^\w@])@(channel|here|everyone)\b/gi;

/** Makes untrusted (model) text unable to notify anyone in Slack; idempotent. */
export function neutralizeSlack(text: string): string {
  return text
    .replace(TOKEN, (_all, _sigil: string, id: string, label: string | undefined) => {
      const shown = label?.replace(/^@/, "").trim() || id.replace(/^subteam\^/, "");
      return `@${JOINER}${shown}`;
    })
    .replace(BROADCAST, (_all, before: string, word: string) => `${before}@${JOINER}${word}`);
}
