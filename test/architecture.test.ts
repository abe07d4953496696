import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";

const SRC = join(import.meta.dirname, "..", "src");

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : path.endsWith(".ts") ? [path] : [];
  });
}

/** Top-level area of a src file: moa, view, commands, bots, store, ops, cli, or the file itself. */
const area = (path: string) => relative(SRC, path).split("/")[0] ?? "";

function imports(path: string): string[] {
  const text = readFileSync(path, "utf8");
  return [...text.matchAll(/(?:^|\n)\s*(?:import|export)[^"'`;]*?from\s+["']([^"']+)["']/g)].map(
    (m) => m[1] as string,
  );
}

describe("import direction: bots -> commands -> moa", () => {
  const all = files(SRC);

  it("src/moa knows no platform, command, store or bot code", () => {
    for (const file of all.filter((f) => area(f) === "moa")) {
      for (const spec of imports(file)) {
        expect(spec, `${relative(SRC, file)} imports ${spec}`).not.toMatch(
          /\/(bots|commands|store|ops)\/|@slack|discord|keyv/,
        );
      }
    }
  });

  it("src/commands does not import bots or platform SDKs", () => {
    for (const file of all.filter((f) => area(f) === "commands")) {
      for (const spec of imports(file)) {
        expect(spec, `${relative(SRC, file)} imports ${spec}`).not.toMatch(
          /\/bots\/|@slack|discord\.js/,
        );
      }
    }
  });

  it("src/view (the run view bots and cli share) imports only src/moa", () => {
    const view = all.filter((f) => area(f) === "view");
    expect(view.length).toBeGreaterThan(0);
    for (const file of view) {
      for (const spec of imports(file)) {
        expect(spec, `${relative(SRC, file)} imports ${spec}`).toMatch(/^\.\/|^\.\.\/moa\//);
      }
    }
  });

  it("src/ops holds process concerns only: no bots, commands or store", () => {
    const ops = all.filter((f) => area(f) === "ops");
    expect(ops.length).toBeGreaterThan(0);
    for (const file of ops) {
      for (const spec of imports(file)) {
        expect(spec, `${relative(SRC, file)} imports ${spec}`).not.toMatch(
          /\/(bots|commands|store)\/|@slack|discord|keyv/,
        );
      }
    }
  });

  it("only the composition root (app.ts, main.ts) imports src/bots from outside it", () => {
    const root = (f: string) => ["app.ts", "main.ts"].includes(relative(SRC, f));
    for (const file of all.filter((f) => area(f) !== "bots" && !root(f))) {
      for (const spec of imports(file)) {
        expect(spec, `${relative(SRC, file)} imports ${spec}`).not.toMatch(/(^|\/)bots\//);
      }
    }
  });

  it("the model chain (providers, traffic shaping) defines its own types, not config.ts's", () => {
    const chain = all.filter((f) => /\/moa\/(providers|traffic)\//.test(f));
    expect(chain.length).toBeGreaterThan(0);
    for (const file of chain) {
      for (const spec of imports(file)) {
        expect(spec, `${relative(SRC, file)} imports ${spec}`).not.toMatch(/(^|\/)config\.js$/);
      }
    }
  });

  it("only the provider adapter imports the openai SDK", () => {
    const users = all.filter((f) =>
      imports(f).some((s) => s === "openai" || s.startsWith("openai/")),
    );
    expect(users.map((f) => relative(SRC, f))).toEqual(["moa/providers/openai-compatible.ts"]);
  });
});
