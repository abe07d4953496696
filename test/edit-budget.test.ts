import { describe, expect, it } from "vitest";
import { EditBudget } from "../src/bots/edit-budget.js";

const rate = { scope: "workspace" as const, limit: 5, windowMs: 1_000, reserveForFinal: 2 };

describe("EditBudget", () => {
  it("lets interim edits use only the unreserved part of the window", () => {
    let t = 0;
    const budget = new EditBudget(rate, () => t);
    const taken = Array.from({ length: 10 }, () => budget.tryInterim());
    expect(taken.filter(Boolean)).toHaveLength(3);
    t = 1_000;
    expect(budget.tryInterim()).toBe(true);
  });

  it("gives final edits the reserve at once, even after interim edits used their share", async () => {
    let t = 0;
    const budget = new EditBudget(rate, () => t);
    while (budget.tryInterim());
    let done = 0;
    const finals = [budget.final(), budget.final()].map((p) => p.then(() => done++));
    await Promise.all(finals);
    expect(done).toBe(2);
    // The window is now full: interim edits are refused until it slides.
    expect(budget.tryInterim()).toBe(false);
    t = 2_000;
    expect(budget.tryInterim()).toBe(true);
  });

  it("makes a final edit wait (not fail) while the window is full, and holds everything after a 429", async () => {
    const budget = new EditBudget({ ...rate, limit: 1, reserveForFinal: 1, windowMs: 60 });
    await budget.final();
    const started = Date.now();
    await budget.final();
    expect(Date.now() - started).toBeGreaterThanOrEqual(50);
    budget.pause(80);
    expect(budget.tryInterim()).toBe(false);
    const t0 = Date.now();
    await budget.final();
    expect(Date.now() - t0).toBeGreaterThanOrEqual(70);
  });
});

describe("EditBudget after a 429", () => {
  it("lets a final edit go once the pause is over, not a whole window later", async () => {
    const budget = new EditBudget({
      scope: "workspace",
      limit: 50,
      windowMs: 60_000,
      reserveForFinal: 25,
    });
    await budget.final();
    budget.pause(50);
    const t0 = Date.now();
    await budget.final();
    expect(Date.now() - t0).toBeLessThan(30_000);
  });
});
