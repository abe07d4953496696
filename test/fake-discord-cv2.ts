/**
 * Discord's Components V2 rules for the fake REST edit route, from the docs
 * (docs.discord.com "using message components", docs.discord.food components):
 * - flag IS_COMPONENTS_V2 = 1 << 15; once set it cannot be removed; with it `content`,
 *   `embeds`, `poll`, `stickers` are refused; switching a message on edit needs `content`
 *   and `embeds` explicitly null (or empty);
 * - types: Action Row 1, Button 2, Section 9, Text Display 10, Thumbnail 11, Media Gallery 12,
 *   File 13, Separator 14, Container 17 (not nested in a container); v2 types without the flag
 *   are refused;
 * - at most 40 components (nested counted), 4,000 chars across all Text Displays;
 * - undocumented (discord-api-docs #8554): sum(UTF-8 bytes of Text Display contents) +
 *   12 per display > 10,170 answers HTTP 500.
 * Interactive components, with or without the flag (docs.discord.com components reference):
 * - an Action Row (1) holds 1..5 buttons or exactly one select menu, never another row; in v1
 *   a message has at most 5 rows and nothing else at the top level; in v2 a row may sit at
 *   the top level or inside a Container;
 * - a Button (2) sits in a row (or is a Section's accessory); it has a label (<= 80 chars)
 *   or an emoji; a non-link button has a `custom_id` of 1..100 chars, unique in the message.
 * `refuseCv2(fake)` makes a fake answer every CV2 payload with 400 (an API that refuses it).
 */
import type { Json } from "./fake-discord-payloads.js";
import type { Reply } from "./fake-discord-rest.js";

/** The Components V2 message flag. */
export const CV2 = 1 << 15;

const V2_TYPES = new Set([9, 10, 11, 12, 13, 14, 17]);
const KNOWN = new Set([1, 2, 3, 5, 6, 7, 8, ...V2_TYPES]);
const refusing = new WeakSet<object>();

/** Makes `fake` refuse every Components V2 payload with HTTP 400. */
export function refuseCv2(fake: object): void {
  refusing.add(fake);
}

const invalid = (why: string): Reply => ({
  status: 400,
  body: { message: `Invalid Form Body: ${why}`, code: 50035 },
});

/** Every component, nested ones included, depth first. */
export function allComponents(list: Json[]): Json[] {
  return list.flatMap((c) => [
    c,
    ...allComponents((c.components as Json[] | undefined) ?? []),
    ...(c.accessory ? [c.accessory as Json] : []),
  ]);
}

/** Text Display contents of a component tree. */
export function textDisplays(list: Json[]): string[] {
  return allComponents(list)
    .filter((c) => c.type === 10)
    .map((c) => String(c.content ?? ""));
}

const SELECTS = new Set([3, 5, 6, 7, 8]);
const LINK = 5;
const PREMIUM = 6;

function buttonProblem(b: Json, ids: Set<string>): string | undefined {
  const label = b.label as string | undefined;
  if (label !== undefined && (label === "" || label.length > 80))
    return "a button label has 1..80 characters";
  if (b.style !== PREMIUM && label === undefined && !b.emoji)
    return "a button needs a label or an emoji";
  if (b.style === LINK || b.style === PREMIUM) return undefined;
  const id = b.custom_id;
  if (typeof id !== "string" || id === "" || id.length > 100)
    return "a button custom_id has 1..100 characters";
  if (ids.has(id)) return `custom_id ${id} is used twice in one message`;
  ids.add(id);
  return undefined;
}

/** Why Discord would refuse these components' rows and buttons (either version), or undefined. */
export function rowsProblem(components: Json[]): string | undefined {
  const ids = new Set<string>();
  const buttonsInRows = new Set<Json>();
  for (const row of allComponents(components).filter((c) => c.type === 1)) {
    const kids = (row.components as Json[] | undefined) ?? [];
    const buttons = kids.filter((k) => k.type === 2);
    const selects = kids.filter((k) => SELECTS.has(Number(k.type)));
    const valid =
      buttons.length + selects.length === kids.length &&
      ((buttons.length >= 1 && buttons.length <= 5 && selects.length === 0) ||
        (selects.length === 1 && buttons.length === 0));
    if (!valid) return "an action row holds 1-5 buttons or one select menu";
    for (const b of buttons) buttonsInRows.add(b);
  }
  for (const c of allComponents(components).filter((c) => c.type === 2)) {
    const accessory = allComponents(components).some((s) => s.type === 9 && s.accessory === c);
    if (!buttonsInRows.has(c) && !accessory) return "a button must sit in an action row";
    const problem = buttonProblem(c, ids);
    if (problem) return problem;
  }
  return undefined;
}

/** Why Discord would refuse a message body without the CV2 flag: v1 rows only, at most 5. */
export function v1Problem(components: Json[]): string | undefined {
  if (components.some((c) => c.type !== 1)) return "only action rows may be top-level components";
  if (components.length > 5) return "at most 5 action rows";
  return rowsProblem(components);
}

/** Why Discord would refuse to post this new message body, or undefined when it is fine. */
export function postRefusal(body: Json): Reply | undefined {
  const components = (body.components as Json[] | undefined) ?? [];
  if ((Number(body.flags ?? 0) & CV2) !== 0) return cv2Refusal({}, { flags: 0, content: "" }, body);
  const problem = v1Problem(components);
  return problem ? invalid(problem) : undefined;
}

/** Why Discord would refuse this edit of `msg`, or undefined when it is fine. */
export function cv2Refusal(fake: object, msg: Json, body: Json): Reply | undefined {
  const wasV2 = (Number(msg.flags ?? 0) & CV2) !== 0;
  const flags = body.flags === undefined ? Number(msg.flags ?? 0) : Number(body.flags);
  const v2 = wasV2 || (flags & CV2) !== 0;
  const components = (body.components as Json[] | undefined) ?? [];
  const all = allComponents(components);
  if (all.some((c) => !KNOWN.has(Number(c.type)))) return invalid("unknown component type");
  if (!v2) {
    if (all.some((c) => V2_TYPES.has(Number(c.type))))
      return invalid("components v2 types need the IS_COMPONENTS_V2 flag");
    const problem = v1Problem(components);
    return problem ? invalid(problem) : undefined;
  }
  if (wasV2 && body.flags !== undefined && (Number(body.flags) & CV2) === 0)
    return invalid("the IS_COMPONENTS_V2 flag cannot be removed");
  if (refusing.has(fake)) return invalid("components v2 not available");
  const content = body.content === undefined ? (wasV2 ? "" : msg.content) : body.content;
  if (content !== null && content !== "")
    return invalid("content cannot be used with components v2");
  const embeds = body.embeds as unknown[] | null | undefined;
  if (embeds && embeds.length > 0) return invalid("embeds cannot be used with components v2");
  if (all.length > 40) return invalid("at most 40 components");
  for (const c of components)
    if (![1, 9, 10, 12, 13, 14, 17].includes(Number(c.type)))
      return invalid(`component type ${String(c.type)} is not top-level`);
  for (const c of all.filter((c) => c.type === 17))
    if (((c.components as Json[] | undefined) ?? []).some((k) => k.type === 17))
      return invalid("containers cannot be nested");
  for (const c of all.filter((c) => c.type === 9)) {
    const n = ((c.components as Json[] | undefined) ?? []).length;
    if (n < 1 || n > 3 || !c.accessory)
      return invalid("a section holds 1-3 text displays and an accessory");
  }
  const rows = rowsProblem(components);
  if (rows) return invalid(rows);
  const texts = textDisplays(components);
  if (texts.some((t) => t === "")) return invalid("text display content is required");
  if (texts.join("").length > 4000) return invalid("text displays hold at most 4000 characters");
  const bytes = texts.reduce((n, t) => n + Buffer.byteLength(t, "utf8") + 12, 0);
  if (bytes > 10_170)
    return { status: 500, body: { message: "500: Internal Server Error", code: 0 } };
  return undefined;
}
