import { afterEach, describe, expect, it } from "vitest";
import { buttonValues } from "./fake-slack.js";
import { eventCallback, messageEvent, postSigned } from "./fake-slack-requests.js";
import { fakeStream, taskTrail } from "./fake-slack-stream.js";
import { until } from "./fixtures/conditions.js";
import { SIGNING_SECRET, type SlackHarness, startSlackHarness } from "./slack-harness.js";

let h: SlackHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const mention = (text: string, ts: string) => messageEvent({ type: "app_mention", text, ts });

/** A long answer of numbered lines (each line ~50 chars), as tokens. */
const longAnswer = (lines: number): string[] =>
  Array.from(
    { length: lines },
    (_, i) => `Line ${String(i).padStart(4, "0")} of the long answer, lorem ipsum.\n`,
  );

describe("Slack native streaming", () => {
  it("streams a plan with one task per proposer in order, then the answer, then stops with the footer", async () => {
    const stream = fakeStream();
    h = await startSlackHarness({
      slack: { stream },
      models: { p2: { reply: "Draft two.", firstTokenMs: 150 } },
    });
    await h.event(mention("<@U0BOT> explain sharding", "100.000001"), "Ev1");
    await h.idle();
    const starts = h.fake.callsTo("chat.startStream");
    expect(starts).toHaveLength(1);
    expect(starts[0]?.args).toMatchObject({
      channel: "C0CHAN",
      thread_ts: "100.000001",
      recipient_user_id: "U0USER",
      recipient_team_id: "T0TEAM",
      task_display_mode: "plan",
    });
    const s = [...stream.streams.values()][0];
    expect(s?.state).toBe("stopped");
    const trail = taskTrail(s);
    // Each task moves forward only, and p1 (fast) completes before p2 (slow).
    expect(trail.filter((t) => t.startsWith("l1p0")).at(-1)).toBe("l1p0:complete");
    expect(trail.filter((t) => t.startsWith("l1p1")).at(-1)).toBe("l1p1:complete");
    expect(trail.indexOf("l1p0:complete")).toBeLessThan(trail.indexOf("l1p1:complete"));
    expect(trail.at(-1)).toBe("aggregate:complete");
    const plan = s?.chunks.find((c) => c.type === "plan_update" && c.title !== "Mixture-of-Agents");
    expect(plan?.title).toBe("Mixture-of-Agents · 2 proposers");
    const done = s?.chunks.find((c) => c.id === "l1p0" && c.status === "complete");
    expect(String(done?.details)).toMatch(/^p1 · \d+\.\ds · \d+ tokens$/);
    const msg = h.fake.messages.get(s?.ts ?? "");
    expect(msg?.text).toMatch(/^The answer\.\n\n_preset default · /);
    // No edit of the streamed message; drafts went to the thread as before.
    expect(h.fake.callsTo("chat.update")).toHaveLength(0);
    expect(
      h.fake
        .threadReplies("100.000001")
        .map((m) => m.text)
        .join("\n"),
    ).toContain("Draft one.");
  });

  it("the streamed final answer carries the 👍/👎 and Regenerate buttons, as the edited one does", async () => {
    const stream = fakeStream();
    h = await startSlackHarness({ slack: { stream } });
    await h.command("rate me");
    await h.idle();
    const stop = h.fake.callsTo("chat.stopStream").at(-1);
    expect(stop?.outcome).toBe("ok");
    expect(JSON.stringify(stop?.args.blocks)).toContain('"feedback_buttons"');
    expect(JSON.stringify(stop?.args.blocks)).toContain('"action_id":"moa_feedback"');
    expect(JSON.stringify(stop?.args.blocks)).toContain('"action_id":"moa_regenerate"');
    // The same blocks the edit path puts under its final answer.
    const edited = await startSlackHarness();
    try {
      await edited.command("rate me");
      await edited.idle();
      const final = edited.fake.callsTo("chat.update").at(-1);
      const under = (blocks: unknown) =>
        (blocks as Array<{ type: string }>).filter((b) => b.type !== "markdown");
      const strip = (blocks: unknown) =>
        JSON.stringify(under(blocks)).replace(/[0-9a-f-]{36}/g, "K");
      expect(strip(stop?.args.blocks)).toBe(strip(final?.args.blocks));
    } finally {
      await edited.close();
    }
  });

  it("Regenerate on a streamed final: the aggregator alone re-runs into that same message, which keeps its buttons", async () => {
    const stream = fakeStream();
    let n = 0;
    const agg = { reply: () => (++n === 1 ? "The first answer." : "A better answer.") };
    h = await startSlackHarness({ slack: { stream }, models: { agg } });
    await h.command("regen a stream", "trig.srg1");
    await h.idle();
    const stop = h.fake.callsTo("chat.stopStream").at(-1);
    expect(stop?.outcome).toBe("ok");
    const ts = String(stop?.args.ts);
    const streamed = h.fake.messages.get(ts);
    expect(streamed?.text).toContain("The first answer.");
    const [runKey] = buttonValues(streamed, "moa_regenerate");
    expect(runKey).toMatch(/^[0-9a-f-]{36}$/);
    expect(JSON.stringify(stop?.args.blocks)).toContain('"action_id":"moa_feedback"');

    await h.press({ messageTs: ts, actionId: "moa_regenerate", value: String(runKey) });
    await h.fake.waitFor((f) =>
      String(f.messages.get(ts)?.text).includes("regenerated from the stored drafts"),
    );
    await h.idle();
    expect(h.models.requestsFor("p1")).toHaveLength(1);
    expect(h.models.requestsFor("p2")).toHaveLength(1);
    expect(h.models.requestsFor("agg")).toHaveLength(2);
    // Rewritten in place with chat.update (a stopped stream is a plain message); no new stream.
    expect(h.fake.callsTo("chat.startStream")).toHaveLength(1);
    const updates = h.fake.callsTo("chat.update");
    expect(updates.length).toBeGreaterThan(0);
    for (const u of updates) expect(u.args.ts).toBe(ts);
    const shown = h.fake.messages.get(ts);
    expect(shown?.text).toContain("A better answer.");
    expect(shown?.text).not.toContain("The first answer.");
    expect(h.fake.threadReplies(ts).some((m) => m.text.includes("Previous answer"))).toBe(true);
    const [again] = buttonValues(shown, "moa_regenerate");
    expect(again).toMatch(/^[0-9a-f-]{36}$/);
    expect(again).not.toBe(runKey);
    expect(JSON.stringify(shown?.blocks)).toContain('"feedback_buttons"');
  });

  it("a /moa command streams a top-level message and threads the drafts under it", async () => {
    const stream = fakeStream();
    h = await startSlackHarness({ slack: { stream } });
    await h.command("what is MoA?");
    await h.idle();
    const start = h.fake.callsTo("chat.startStream")[0];
    expect(start?.args.thread_ts).toBeUndefined();
    const ts = [...stream.streams.keys()][0] ?? "";
    expect(h.fake.threadReplies(ts).length).toBeGreaterThanOrEqual(2);
    expect(h.fake.messages.get(ts)?.text).toContain("The answer.");
  });

  it("rolls a long answer over into a continuation before the ~12,000-char cap; nothing lost", async () => {
    const stream = fakeStream();
    const lines = longAnswer(600); // ~30,000 chars
    h = await startSlackHarness({ slack: { stream }, models: { agg: { reply: lines } } });
    await h.event(mention("<@U0BOT> long please", "200.000001"), "Ev1");
    await h.idle();
    const streams = [...stream.streams.values()];
    expect(streams.length).toBeGreaterThanOrEqual(3);
    for (const s of streams) expect(s.state).toBe("stopped");
    expect(h.fake.calls.filter((c) => c.outcome === "msg_too_long")).toHaveLength(0);
    const text = streams.map((s) => h?.fake.messages.get(s.ts)?.text ?? "").join("\n");
    for (const line of lines) expect(text).toContain(line.trim());
    for (const s of streams.slice(1))
      expect(h.fake.messages.get(s.ts)?.threadTs).toBe("200.000001");
  });

  it("finishes an expired stream with chat.update on its ts; the whole answer is there", async () => {
    const stream = fakeStream();
    const lines = longAnswer(40);
    h = await startSlackHarness({
      slack: { stream },
      models: { agg: { reply: lines, tokenMs: 80 } },
    });
    await h.event(mention("<@U0BOT> slow answer", "300.000001"), "Ev1");
    // Expire the stream once the answer has begun (Slack does this ~5 min after start).
    await until(
      () =>
        h?.fake
          .callsTo("chat.appendStream")
          .some((c) => JSON.stringify(c.args).includes("Line 0000")) ?? false,
      "answer streaming",
    );
    const ts = [...stream.streams.keys()][0] ?? "";
    stream.expire(ts);
    await h.idle();
    expect(h.fake.calls.some((c) => c.outcome === "message_not_in_streaming_state")).toBe(true);
    const update = h.fake.callsTo("chat.update").at(-1);
    expect(update?.args.ts).toBe(ts);
    const text = h.fake.messages.get(ts)?.text ?? "";
    for (const line of lines) expect(text).toContain(line.trim());
    expect(text).toMatch(/_preset default · /);
  });

  it("falls back to post-and-edit for a workspace that refuses streaming, remembered, while others stream", async () => {
    const stream = fakeStream({ refuse: { teams: ["T0OLD"], error: "unknown_method" } });
    h = await startSlackHarness({ slack: { stream } });
    const inOld = (ts: string, id: string) =>
      postSigned(
        h?.url ?? "",
        eventCallback(mention("<@U0BOT> hi", ts), { eventId: id, teamId: "T0OLD" }),
        { secret: SIGNING_SECRET },
      );
    await inOld("400.000001", "Ev1");
    await h.idle();
    await inOld("400.000002", "Ev2");
    await h.idle();
    await h.event(mention("<@U0BOT> hi", "400.000003"), "Ev3");
    await h.idle();
    const starts = h.fake.callsTo("chat.startStream");
    // One refused try for T0OLD (then remembered), one stream for T0TEAM.
    expect(starts.map((c) => `${String(c.args.recipient_team_id)}:${c.outcome}`)).toEqual([
      "T0OLD:unknown_method",
      "T0TEAM:ok",
    ]);
    for (const root of ["400.000001", "400.000002"]) {
      const interim = h.fake.threadReplies(root)[0];
      expect(interim?.versions.at(-1)).toMatch(/^The answer\./);
      expect(interim?.versions.length).toBeGreaterThan(1);
    }
  });

  it("the Stop button rides in the stream; a press stops the run and the stream ends with Stopped", async () => {
    const stream = fakeStream();
    const words = Array.from({ length: 80 }, (_, i) => `w${i} `);
    h = await startSlackHarness({
      slack: { stream },
      models: { agg: { reply: words, tokenMs: 50 } },
    });
    await h.event(mention("<@U0BOT> stop me", "600.000001"), "Ev1");
    await h.fake.waitFor((f) =>
      f.callsTo("chat.appendStream").some((c) => JSON.stringify(c.args).includes("w1")),
    );
    const ts = [...stream.streams.keys()][0] ?? "";
    const ack = await h.press({ messageTs: ts, threadTs: "600.000001" });
    expect(ack.status).toBe(200);
    await h.idle();
    expect(h.models.requestsFor("agg")[0]?.outcome).toBe("aborted");
    expect(stream.streams.get(ts)?.state).toBe("stopped");
    const text = h.fake.messages.get(ts)?.text ?? "";
    expect(text).toContain("Stopped before the answer was finished");
    expect(text).not.toContain("w79");
    expect(taskTrail(stream.streams.get(ts)).at(-1)).toBe("aggregate:error");
  });

  it("a failed run ends its stream with the failure named", async () => {
    const stream = fakeStream();
    h = await startSlackHarness({
      slack: { stream },
      models: {
        p1: { always: { kind: "status", status: 500, message: "p1 down" } },
        p2: { always: { kind: "status", status: 500, message: "p2 down" } },
      },
    });
    await h.event(mention("<@U0BOT> doomed", "500.000001"), "Ev1");
    await h.idle();
    const s = [...stream.streams.values()][0];
    expect(s?.state).toBe("stopped");
    expect(taskTrail(s)).toEqual(expect.arrayContaining(["l1p0:error", "l1p1:error"]));
    expect(h.fake.messages.get(s?.ts ?? "")?.text).toContain("The MoA run failed");
  });
});
