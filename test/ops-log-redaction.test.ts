import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { ModelError } from "../src/errors.js";
import { createLogger } from "../src/log.js";

const KEY = "sk-proj-abcDEF1234567890secret";
const TOKEN = "xoxb-1111-2222-ThisIsASlackToken";

/** A logger writing into an array of lines, as production writes to stdout. */
function capture() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _enc, done) {
      lines.push(...String(chunk).split("\n").filter(Boolean));
      done();
    },
  });
  const log = createLogger({ level: "debug", secrets: [KEY, TOKEN], destination });
  return { log, lines, text: () => lines.join("\n") };
}

describe("log redaction", () => {
  it("never prints a configured secret, wherever it hides", () => {
    const { log, lines, text } = capture();
    log.info(`calling with key ${KEY}`);
    log.info("printf style %s", KEY);
    log.warn({ err: new Error(`401: invalid api key ${KEY}`) }, "provider refused");
    log.error(
      {
        err: new ModelError("auth", "gpt-4.1", `provider default refused ${KEY}`, { status: 401 }),
      },
      "model failed",
    );
    log.info(
      { request: { headers: { Authorization: `Bearer ${KEY}` }, note: `t=${TOKEN}` } },
      "req",
    );
    log.info({ list: [KEY, { inner: [TOKEN] }] }, "arrays");
    log.info({ apiKey: "short", botToken: "x", signingSecret: "y" }, "named fields");
    log.debug({ url: `https://user:${KEY}@redis.example:6379` }, "store url");
    expect(lines).toHaveLength(8);
    expect(text()).not.toContain(KEY);
    expect(text()).not.toContain(TOKEN);
    for (const line of lines) expect(() => JSON.parse(line)).not.toThrow();
    expect(JSON.parse(lines[6] as string)).toMatchObject({
      apiKey: "[redacted]",
      botToken: "[redacted]",
      signingSecret: "[redacted]",
    });
    // The redacted error keeps what helps debugging.
    expect(JSON.parse(lines[3] as string).err).toMatchObject({
      code: "model_auth",
      message: "gpt-4.1: provider default refused [redacted]",
    });
  });

  // These three leaked before log.ts scrubbed whole lines; they guard that fix.
  it("redacts objects interpolated with %o / %j", () => {
    const { log, text } = capture();
    log.info("printf style %o", { token: TOKEN, note: `k=${KEY}` });
    expect(text()).not.toContain(TOKEN);
    expect(text()).not.toContain(KEY);
  });

  it("redacts secrets nested deeper than the walker's depth limit", () => {
    const { log, text } = capture();
    let deep: Record<string, unknown> = { leaf: `key=${KEY}` };
    for (let i = 0; i < 10; i++) deep = { level: deep };
    log.info({ deep }, "deep");
    expect(text()).not.toContain(KEY);
  });

  it("redacts secrets in child logger bindings", () => {
    const { log, text } = capture();
    log
      .child({ provider: { baseURL: "https://api.example", apiKey: KEY, note: TOKEN } })
      .info("hi");
    expect(text()).not.toContain(KEY);
    expect(text()).not.toContain(TOKEN);
  });
});

describe("log redaction of errors", () => {
  it("keeps an error's stack and cause, and scrubs secrets with JSON-escaped characters", () => {
    const odd = 'key"with\\quotes-123456';
    const lines: string[] = [];
    const destination = new Writable({
      write(chunk, _enc, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const log = createLogger({ level: "info", secrets: [odd], destination });
    log.error({ err: new Error("outer", { cause: new Error(`inner ${odd}`) }) }, `msg ${odd}`);
    const line = lines.join("");
    expect(line).not.toContain(JSON.stringify(odd).slice(1, -1));
    const parsed = JSON.parse(line);
    expect(parsed.err.type).toBe("Error");
    expect(parsed.err.stack).toContain("outer");
    expect(parsed.err.message).toBe("outer: inner [redacted]");
  });
});
