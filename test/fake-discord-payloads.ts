/** Discord API objects as the fake serves them: just the fields discord.js reads. */

/** A loose JSON object (payloads are untyped on the wire). */
export type Json = Record<string, unknown>;

let next = 1_300_000_000_000_000_000n;
/** A fresh, increasing snowflake. */
export function snowflake(): string {
  next += 1n;
  return next.toString();
}

/** A user object. */
export function user(id: string, name: string, bot = false): Json {
  return { id, username: name, global_name: name, discriminator: "0", avatar: null, bot };
}

/** A human in the fake guild. */
export const alice = user("700000000000000001", "alice");
/** Another human in the fake guild. */
export const bob = user("700000000000000003", "bob");
/** Another bot in the fake guild. */
export const otherBot = user("700000000000000002", "other-bot", true);

/** A guild text channel. */
export function textChannel(id: string, guildId: string, name = "general"): Json {
  return {
    id,
    type: 0,
    guild_id: guildId,
    name,
    position: 0,
    permission_overwrites: [],
    nsfw: false,
  };
}

/** Role id whose permissions include Manage Channels, in every fake guild. */
export const ADMIN_ROLE_ID = "900000000000000001";

/** A guild as GUILD_CREATE carries it (the @everyone role has the guild's id). */
export function guildCreate(id: string, ownerId: string, channels: Json[], threads: Json[]): Json {
  const role = (rid: string, name: string, permissions: string, position: number) => ({
    id: rid,
    name,
    permissions,
    position,
    color: 0,
    hoist: false,
    managed: false,
    mentionable: false,
    flags: 0,
  });
  return {
    id,
    name: `guild ${id}`,
    owner_id: ownerId,
    unavailable: false,
    member_count: 3,
    large: false,
    joined_at: new Date().toISOString(),
    features: [],
    channels,
    threads,
    members: [],
    roles: [role(id, "@everyone", "68608", 0), role(ADMIN_ROLE_ID, "admins", "16", 1)],
    emojis: [],
    stickers: [],
    voice_states: [],
    presences: [],
    stage_instances: [],
    guild_scheduled_events: [],
    soundboard_sounds: [],
  };
}

/** A message object; `member` (without user) is added for guild messages. */
export function message(fields: {
  id: string;
  channelId: string;
  guildId?: string | undefined;
  author: Json;
  content: string;
  mentions?: Json[];
  flags?: number;
  reference?: Json | undefined;
  roles?: string[];
}): Json {
  return {
    id: fields.id,
    channel_id: fields.channelId,
    ...(fields.guildId && {
      guild_id: fields.guildId,
      member: {
        roles: fields.roles ?? [],
        joined_at: new Date().toISOString(),
        deaf: false,
        mute: false,
        flags: 0,
      },
    }),
    author: fields.author,
    content: fields.content,
    timestamp: new Date().toISOString(),
    edited_timestamp: null,
    tts: false,
    mention_everyone: false,
    mentions: fields.mentions ?? [],
    mention_roles: [],
    attachments: [],
    embeds: [],
    pinned: false,
    type: fields.reference ? 19 : 0,
    flags: fields.flags ?? 0,
    ...(fields.reference && { message_reference: fields.reference }),
  };
}

/** An application-command option as interactions carry it (type 1 = subcommand, 3 = string). */
export interface OptionData {
  /** Option name. */
  name: string;
  /** Discord option type. */
  type: number;
  /** Value for non-subcommand options. */
  value?: string | number | boolean;
  /** Nested options of a subcommand. */
  options?: OptionData[];
  /** Set on the option being typed in an autocomplete interaction. */
  focused?: boolean;
}

/** A chat-input (type 2) or autocomplete (type 4) interaction in a guild channel. */
export function interaction(fields: {
  id: string;
  token: string;
  appId: string;
  guildId: string;
  channel: Json;
  user: Json;
  permissions: string;
  commandName: string;
  options: OptionData[];
  autocomplete?: boolean;
}): Json {
  return {
    id: fields.id,
    application_id: fields.appId,
    type: fields.autocomplete ? 4 : 2,
    token: fields.token,
    version: 1,
    data: { id: snowflake(), name: fields.commandName, type: 1, options: fields.options },
    guild_id: fields.guildId,
    channel_id: fields.channel.id,
    channel: fields.channel,
    member: {
      user: fields.user,
      roles: [],
      permissions: fields.permissions,
      joined_at: new Date().toISOString(),
      deaf: false,
      mute: false,
      flags: 0,
    },
    app_permissions: "309237713920",
    locale: "en-US",
    guild_locale: "en-US",
    entitlements: [],
    authorizing_integration_owners: { "0": fields.guildId },
    context: 0,
  };
}

/** A button press (MESSAGE_COMPONENT, type 3) on `message` by a member of a guild channel. */
export function buttonPress(fields: {
  id: string;
  token: string;
  appId: string;
  guildId: string;
  channel: Json;
  user: Json;
  message: Json;
  customId: string;
}): Json {
  return {
    id: fields.id,
    application_id: fields.appId,
    type: 3,
    token: fields.token,
    version: 1,
    data: { custom_id: fields.customId, component_type: 2 },
    message: fields.message,
    guild_id: fields.guildId,
    channel_id: fields.channel.id,
    channel: fields.channel,
    member: {
      user: fields.user,
      roles: [],
      permissions: "68608",
      joined_at: new Date().toISOString(),
      deaf: false,
      mute: false,
      flags: 0,
    },
    app_permissions: "309237713920",
    locale: "en-US",
    guild_locale: "en-US",
    entitlements: [],
    authorizing_integration_owners: { "0": fields.guildId },
    context: 0,
  };
}
