/**
 * Key builders: every key the bot writes, in one place. Keys are relative to the
 * Kv prefix, so the full key is `moa:<platform>:<workspace>:...`. Ids are
 * URI-encoded so a ":" inside an id cannot collide with another key.
 */

/** A workspace (Slack team) or guild (Discord) of one platform. */
export interface WorkspaceScope {
  /** `slack` or `discord`. */
  platform: string;
  /** Slack team id / Discord guild id ("dm" for DMs). */
  workspaceId: string;
}

/** One channel in a workspace. */
export interface ChannelScope extends WorkspaceScope {
  /** Channel id. */
  channelId: string;
}

/** One thread in a channel. */
export interface ThreadScope extends ChannelScope {
  /** Slack root message ts / Discord thread id. */
  threadId: string;
}

const part = (id: string) => encodeURIComponent(id);
const workspaceKey = (s: WorkspaceScope) => `${part(s.platform)}:${part(s.workspaceId)}`;

/** Key of a channel's preset choice. */
export function channelPresetKey(scope: ChannelScope): string {
  return `${workspaceKey(scope)}:channel:${part(scope.channelId)}:preset`;
}

/** Key of the presets saved for a whole workspace/guild (one key, so a save is one write). */
export function savedPresetsKey(scope: WorkspaceScope): string {
  return `${workspaceKey(scope)}:saved-presets`;
}

/** Key of a thread's conversation memory. */
export function conversationKey(scope: ThreadScope): string {
  return `${workspaceKey(scope)}:conv:${part(scope.channelId)}:${part(scope.threadId)}`;
}

/** Key of one delivered event, for dedup (`eventKey` from the Invocation). */
export function dedupKey(platform: string, eventKey: string): string {
  return `${part(platform)}:dedup:${part(eventKey)}`;
}

/** Key of one stored run (feedback and stats), by the engine's run id. */
export function runKey(scope: WorkspaceScope, runId: string): string {
  return `${workspaceKey(scope)}:run:${part(runId)}`;
}

/** Key of the run ids of one UTC day (`YYYY-MM-DD`), for a channel or, without one, the workspace. */
export function runDayKey(scope: WorkspaceScope & { channelId?: string }, day: string): string {
  const where = scope.channelId === undefined ? "all" : `chan:${part(scope.channelId)}`;
  return `${workspaceKey(scope)}:runs:${where}:${day}`;
}

/** Key of the drafts (and question) a run's answer was written from, for regenerate. */
export function runDraftsKey(scope: WorkspaceScope, runId: string): string {
  return `${workspaceKey(scope)}:run-drafts:${part(runId)}`;
}

/** Key of the last run answered in a thread (what `regenerate` typed there acts on). */
export function threadLastRunKey(scope: ThreadScope): string {
  return `${workspaceKey(scope)}:last-run:${part(scope.channelId)}:${part(scope.threadId)}`;
}
