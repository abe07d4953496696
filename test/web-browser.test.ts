/**
 * The playground page in real headless Chromium (Debian `chromium`, driven by playwright-core)
 * against the real app and the fake models: ask, three drafts and the answer, a follow-up,
 * Stop. Also takes the README screenshot (docs/playground.png).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type BrowserContext, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RecordedRequest } from "./fake-openai-server.js";
import { startWebHarness, type WebHarness } from "./web-harness.js";

const CHROMIUM = "/usr/bin/chromium";
// The README's picture is rewritten only when asked (MOA_UPDATE_SCREENSHOT=1), so test runs leave the tree clean.
const SCREENSHOT = process.env.MOA_UPDATE_SCREENSHOT
  ? join(import.meta.dirname, "..", "docs", "playground.png")
  : join(tmpdir(), `moa-playground-${process.pid}.png`);
const LONG = Array.from({ length: 400 }, (_, i) => `word${i}`).join(" ");
const lastUser = (r: RecordedRequest) => r.messages.at(-1)?.content ?? "";
const draft = (text: string) => (r: RecordedRequest) =>
  lastUser(r).includes("Stop me") ? LONG : text;

let harness: WebHarness;
let context: BrowserContext;
let page: Page;
let profile: string;

beforeAll(async () => {
  harness = await startWebHarness({
    models: {
      p1: { reply: draft("Rayleigh scattering: short wavelengths scatter most."), tokenMs: 20 },
      p2: { reply: draft("Blue light is scattered by air molecules."), tokenMs: 20 },
      p3: { reply: draft("Sunlight scatters; the sky looks blue."), tokenMs: 20 },
      agg: {
        reply:
          "The sky is **blue** because air scatters *short* wavelengths. <img src=x onerror=alert(1)>",
        tokenMs: 20,
      },
    },
    env: { MOA_PROPOSERS: "p1,p2,p3", MOA_LAYERS: "2" },
  });
  profile = mkdtempSync(join(tmpdir(), "moa-chromium-"));
  context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
    viewport: { width: 1100, height: 900 },
  });
  page = context.pages()[0] ?? (await context.newPage());
}, 120_000);

afterAll(async () => {
  await context?.close();
  await harness?.close();
  rmSync(profile, { recursive: true, force: true });
});

async function ask(text: string): Promise<void> {
  await page.locator("#text:enabled").fill(text);
  await page.locator("#text").press("Enter");
}

describe("the playground in headless Chromium", { timeout: 120_000 }, () => {
  it("asks, shows three drafts and the sanitised answer, follows up, and stops a run", async () => {
    const dialogs: string[] = [];
    page.on("dialog", (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    await page.goto(harness.bot.url);
    await expect.poll(() => page.locator("#notice").textContent()).toBe("Models: fake ones.");

    await ask("Why is the sky blue?");
    const first = page.locator(".turn").nth(0);
    await first.and(page.locator("[data-closed=true]")).waitFor({ timeout: 60_000 });
    await expect.poll(() => first.locator(".proposer.done").count()).toBe(3);
    expect(await first.locator(".proposer .body").allTextContents()).toEqual([
      "Rayleigh scattering: short wavelengths scatter most.",
      "Blue light is scattered by air molecules.",
      "Sunlight scatters; the sky looks blue.",
    ]);
    expect(await first.locator(".answer strong").textContent()).toBe("blue");
    expect(await first.locator(".answer em").textContent()).toBe("short");
    expect(await first.locator(".answer blockquote").textContent()).toBe("Why is the sky blue?");
    // Model HTML is shown as text, never parsed.
    expect(await first.locator(".answer img").count()).toBe(0);
    expect(await first.locator(".answer").textContent()).toContain("<img src=x onerror=alert(1)>");
    expect(await first.locator(".receipt").textContent()).toMatch(/agg/);
    expect(await first.locator(".timeline .row").count()).toBe(4);
    expect(await first.locator(".timeline .row.critical").count()).toBe(2);

    await ask("And at sunset?");
    const second = page.locator(".turn").nth(1);
    await second.and(page.locator("[data-closed=true]")).waitFor({ timeout: 60_000 });
    await expect.poll(() => second.locator(".proposer.done").count()).toBe(3);
    const followUp = harness.models.requestsFor("p1")[1]?.messages.map((m) => m.content) ?? [];
    expect(followUp).toEqual(expect.arrayContaining(["Why is the sky blue?", "And at sunset?"]));
    const png = await page.screenshot({ path: SCREENSHOT, fullPage: true });
    expect(png.subarray(1, 4).toString()).toBe("PNG");

    await ask("Stop me please");
    const third = page.locator(".turn").nth(2);
    await third.locator(".proposer.writing").first().waitFor({ timeout: 60_000 });
    await third.locator("button.stop:visible").click();
    await third.and(page.locator("[data-closed=true]")).waitFor({ timeout: 60_000 });
    expect(await third.locator(".answer").textContent()).toMatch(/stopped/i);
    expect(await third.locator("button.stop").isHidden()).toBe(true);
    expect(dialogs).toEqual([]);
  });
});
