import { z } from "zod";

/**
 * A stored index: unique keys, oldest first (`{v: 1, keys}`, the shape run day indexes have
 * always had, so data written before the atomic append reads the same).
 */
export const KeyIndexSchema = z.object({ v: z.literal(1), keys: z.array(z.string()) });

/** What an index append did: `replaced` when the stored value was unreadable and started afresh. */
export type IndexAppendResult = "appended" | "replaced";

/**
 * Atomic "add `member` to the index at `fullKey`, moving it last, keep the newest `max`,
 * expire in `ttlMs`" on a full key (prefix included).
 */
export type IndexAppend = (
  fullKey: string,
  member: string,
  max: number,
  ttlMs: number,
) => Promise<IndexAppendResult>;

/** The index `stored` (a Kv value, undefined when absent) becomes once `member` is appended. */
export function appendedIndex(
  stored: unknown,
  member: string,
  max: number,
): { value: z.infer<typeof KeyIndexSchema>; result: IndexAppendResult } {
  const parsed = stored === undefined ? undefined : KeyIndexSchema.safeParse(stored);
  const keys = parsed?.success ? parsed.data.keys.filter((k) => k !== member) : [];
  keys.push(member);
  return {
    value: { v: 1, keys: keys.slice(-max) },
    result: parsed && !parsed.success ? "replaced" : "appended",
  };
}

/**
 * `appendedIndex` inside Redis, so read, append and write are one step for every instance.
 * It reads and writes Keyv's `{value, expires}` envelope. KEYS[1] the index; ARGV: member,
 * max, ttl ms, now ms, expires ms. Returns 1 when an unreadable value was replaced.
 * Expiry numbers are passed as strings and concatenated, never formatted by Lua.
 */
export const REDIS_INDEX_APPEND = `
-- The stored keys, {} when absent or expired, nil when unreadable.
local function stored(raw)
  if not raw then return {} end
  local ok, env = pcall(cjson.decode, raw)
  if not ok or type(env) ~= 'table' then return nil end
  if type(env.expires) == 'number' and tonumber(ARGV[4]) > env.expires then return {} end
  local index = env.value
  local list = type(index) == 'table' and index.v == 1 and index.keys
  if type(list) ~= 'table' then return nil end
  local n = 0
  for k, v in pairs(list) do
    if type(k) ~= 'number' or type(v) ~= 'string' then return nil end
    n = n + 1
  end
  if n ~= #list then return nil end
  return list
end
local keys = stored(redis.call('GET', KEYS[1]))
local replaced = 0
if keys == nil then
  keys = {}
  replaced = 1
end
local out = {}
for _, k in ipairs(keys) do
  if k ~= ARGV[1] then out[#out + 1] = k end
end
out[#out + 1] = ARGV[1]
local kept = {}
for i = math.max(1, #out - tonumber(ARGV[2]) + 1), #out do kept[#kept + 1] = out[i] end
redis.call('SET', KEYS[1],
  '{"value":{"v":1,"keys":' .. cjson.encode(kept) .. '},"expires":' .. ARGV[5] .. '}',
  'PX', ARGV[3])
return replaced
`;
