import type { webApi } from "@slack/bolt";
import { LRUCache } from "lru-cache";

/** users.info, the one Web API method the admin check needs. */
export type SlackUsersPort = Pick<webApi.WebClient["users"], "info">;

/** Options of `workspaceAdminCheck`. */
export interface AdminCheckOptions {
  /** How long an answer is reused, ms (roles change rarely; users.info is Tier 4 but not free). */
  ttlMs?: number;
  /** Clock, ms. */
  now?: () => number;
  /** Most users remembered at once; the least recently asked is dropped first. */
  maxUsers?: number;
  /** Told when users.info fails (the user is then treated as no admin, uncached). */
  onError?: (error: unknown, userId: string) => void;
}

/** Default reuse time of an answer, ms. */
export const ADMIN_CACHE_MS = 5 * 60_000;

/** Default bound of the cache: a big workspace cannot grow it without limit. */
export const ADMIN_CACHE_USERS = 10_000;

/**
 * `isWorkspaceAdmin` for commands/dispatch: true for workspace admins and owners
 * (users.info `is_admin || is_owner || is_primary_owner`), cached per user. Asked only
 * when a command needs it, so a plain `/moa question` costs no users.info call.
 */
export function workspaceAdminCheck(
  users: SlackUsersPort,
  options: AdminCheckOptions = {},
): (userId: string) => Promise<boolean> {
  const ttlMs = options.ttlMs ?? ADMIN_CACHE_MS;
  const now = options.now ?? Date.now;
  // Expiry is kept beside the answer (not lru-cache's ttl, which treats a clock reading of 0
  // as "no start" and caches "now"), so an injected clock is read exactly.
  const cache = new LRUCache<string, { admin: boolean; until: number }>({
    max: options.maxUsers ?? ADMIN_CACHE_USERS,
  });
  const pending = new Map<string, Promise<boolean>>();

  const lookUp = async (userId: string): Promise<boolean> => {
    try {
      const { user } = await users.info({ user: userId });
      const admin = Boolean(user?.is_admin || user?.is_owner || user?.is_primary_owner);
      cache.set(userId, { admin, until: now() + ttlMs });
      return admin;
    } catch (error) {
      options.onError?.(error, userId);
      return false;
    } finally {
      pending.delete(userId);
    }
  };

  return (userId) => {
    const hit = cache.get(userId);
    if (hit && hit.until > now()) return Promise.resolve(hit.admin);
    const inFlight = pending.get(userId);
    if (inFlight) return inFlight;
    const lookup = lookUp(userId);
    pending.set(userId, lookup);
    return lookup;
  };
}
