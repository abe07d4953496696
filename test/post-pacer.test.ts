import type { webApi } from "@slack/bolt";
import { afterEach, describe, expect, it, vi } from "vitest";
import { POST_WINDOW_MS, POSTS_PER_WINDOW, pacedPosts } from "../src/bots/slack/post-pacer.js";

type Chat = webApi.WebClient["chat"];

/** A chat port that records what was posted when (the real WebClient is in slack-delivery.test.ts). */
function recordingChat() {
  const posted: Array<{ channel: string; text: string; at: number }> = [];
  const chat = {
    postMessage: async (args: { channel: string; text: string }) => {
      posted.push({ channel: args.channel, text: args.text, at: Date.now() });
      return { ok: true, ts: String(posted.length) };
    },
    update: async () => ({ ok: true }),
  } as unknown as Chat;
  return { chat, posted };
}

const post = (chat: Chat, channel: string, text: string, thread?: string) =>
  chat.postMessage({ channel, text, ...(thread && { thread_ts: thread }) });

describe("pacedPosts", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("lets a burst of 5 through per channel, holds the rest a window, and lets a new root go first", async () => {
    vi.useFakeTimers({ now: 0 });
    const { chat, posted } = recordingChat();
    const paced = pacedPosts(chat);
    const drafts = Array.from({ length: POSTS_PER_WINDOW + 2 }, (_, i) =>
      post(paced, "C1", `draft ${i}`, "1.0"),
    );
    const root = post(paced, "C1", "new run thinking");
    const elsewhere = post(paced, "C2", "other channel");
    await vi.advanceTimersByTimeAsync(0);
    expect(posted.map((p) => p.text)).toEqual([
      "draft 0",
      "draft 1",
      "draft 2",
      "draft 3",
      "draft 4",
      "other channel",
    ]);
    await vi.advanceTimersByTimeAsync(POST_WINDOW_MS);
    await Promise.all([...drafts, root, elsewhere]);
    // The new run's root message went ahead of the drafts that were already waiting.
    expect(posted.slice(6).map((p) => p.text)).toEqual(["new run thinking", "draft 5", "draft 6"]);
    expect(posted.slice(6).every((p) => p.at >= POST_WINDOW_MS)).toBe(true);
  });

  it("passes every other method through untouched", async () => {
    const { chat } = recordingChat();
    expect(pacedPosts(chat).update).toBe(chat.update);
  });
});
