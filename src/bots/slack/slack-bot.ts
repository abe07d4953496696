import type { AddressInfo } from "node:net";
import { App, type AppOptions, type CustomRoute } from "@slack/bolt";
import type { Invocation } from "../../commands/invocation.js";
import type { Config } from "../../config.js";
import { ConfigError } from "../../errors.js";
import type { Resumer } from "../admission/take-over-runs.js";
import type { ChatSink } from "../chat-sink.js";
import { EditBudgets } from "../edit-budget.js";
import { existingMessageRuns } from "../existing-message-runs.js";
import { type BotDeps, handleInvocation } from "../handle-invocation.js";
import { LoadingStatusSink, promptSetter } from "./assistant-surface.js";
import { boltLogger } from "./bolt-logger.js";
import { pacedPosts } from "./post-pacer.js";
import { slackProfile } from "./profile.js";
import { slackClientOptions } from "./slack-client-options.js";
import { registerSlackListeners } from "./slack-listeners.js";
import { SlackSink, type SlackSinkTarget } from "./slack-sink.js";
import { SlackStreamSink } from "./slack-stream-sink.js";
import { StreamingPolicy } from "./streaming-policy.js";
import { workspaceAdminCheck } from "./workspace-admin.js";

/** The variables the Slack bot reads. */
export type SlackConfig = Pick<
  Config,
  "SLACK_BOT_TOKEN" | "SLACK_SIGNING_SECRET" | "SLACK_APP_TOKEN" | "SLACK_PORT" | "SLACK_API_URL"
> &
  Partial<Pick<Config, "MOA_SLACK_STREAMING">>;

/** Checks only the Slack adapter can make, handed to commands/dispatch with each invocation. */
export interface SlackPlatformChecks {
  /** True for workspace admins and owners (users.info, cached). */
  isWorkspaceAdmin(userId: string): Promise<boolean>;
}

/** The shared bot collaborators, with dispatch taking the Slack checks as its second argument. */
export interface SlackBotDeps extends Omit<BotDeps, "dispatch"> {
  /** commands/dispatch with its stores bound; spread `platform` into the commands deps. */
  dispatch(inv: Invocation, platform: SlackPlatformChecks): ReturnType<BotDeps["dispatch"]>;
}

/** Options mostly for tests and benches. */
export interface SlackBotOptions {
  /** Interface the HTTP receiver binds (default: all). */
  host?: string;
  /** Extra HTTP routes (ops /healthz, /metrics) on the receiver's server; in Socket Mode they alone open SLACK_PORT. */
  customRoutes?: CustomRoute[];
  /** Timeout of each Web API request, ms (default SLACK_API_TIMEOUT_MS; tests of hanging calls shorten it). */
  apiTimeoutMs?: number;
}

/** A running Slack bot. */
export interface SlackBot {
  /** The Bolt app (its `client` is the WebClient every call goes through). */
  app: App;
  /** `http`: Events API + commands on POST /slack/events; `socket`: Socket Mode. */
  mode: "http" | "socket";
  /** Port of the HTTP receiver (the real one when SLACK_PORT is 0); undefined in Socket Mode. */
  port: number | undefined;
  /** Takes over a journaled run of a crashed instance in its own message (`message` from SlackSink.messageRef). */
  resume: Resumer;
  /** Invocations in flight on this instance (the shared run registry). */
  readonly running: number;
  /** Stops receiving, then waits for runs in flight (abort them through the registry to hurry); idempotent. */
  stop(): Promise<void>;
}

/** Token and transport from the config; throws ConfigError listing what is missing. */
function connectionOptions(config: SlackConfig): AppOptions {
  const {
    SLACK_BOT_TOKEN: token,
    SLACK_APP_TOKEN: appToken,
    SLACK_SIGNING_SECRET: secret,
  } = config;
  const problems: string[] = [];
  if (!token) problems.push("SLACK_BOT_TOKEN: required for Slack (xoxb-...)");
  if (!appToken && !secret)
    problems.push(
      "SLACK_SIGNING_SECRET: required in HTTP mode (or set SLACK_APP_TOKEN for Socket Mode)",
    );
  if (!token) throw new ConfigError(problems);
  if (appToken) return { token, socketMode: true, appToken };
  if (!secret) throw new ConfigError(problems);
  return { token, signingSecret: secret, port: config.SLACK_PORT };
}

/** Bolt serves custom routes on the HTTP receiver's port, or (Socket Mode) on installerOptions.port. */
function routesOptions(
  config: SlackConfig,
  routes: CustomRoute[] | undefined,
): Partial<AppOptions> {
  if (!routes || routes.length === 0) return {};
  return config.SLACK_APP_TOKEN
    ? { customRoutes: routes, installerOptions: { port: config.SLACK_PORT } }
    : { customRoutes: routes };
}

/**
 * Starts the Slack bot: Socket Mode when SLACK_APP_TOKEN is set, else HTTP on SLACK_PORT
 * with SLACK_SIGNING_SECRET. Throws ConfigError listing missing variables.
 */
export async function startSlackBot(
  config: SlackConfig,
  deps: SlackBotDeps,
  options: SlackBotOptions = {},
): Promise<SlackBot> {
  const log = deps.log.child({ platform: "slack" });
  const app = new App({
    ...connectionOptions(config),
    ...routesOptions(config, options.customRoutes),
    logger: boltLogger(log),
    // init() below calls auth.test, so a bad token fails at start, not on the first event.
    deferInitialization: true,
    // Thread memory lives in our store; Bolt's per-event conversation lookup would be wasted work.
    convoStore: false,
    clientOptions: slackClientOptions(config.SLACK_API_URL, options.apiTimeoutMs),
  });
  const socket = Boolean(config.SLACK_APP_TOKEN);
  // Every run's posts to a channel share that channel's pace (about 1 a second).
  const chat = pacedPosts(app.client.chat);
  const isWorkspaceAdmin = workspaceAdminCheck(app.client.users, {
    onError: (err, user) => log.warn({ err, user }, "users.info failed; treating as no admin"),
  });
  // A stored answer message (a resumed run, a `regenerate` command) by its messageRef.
  const answerSink = ({ channel, ts, threadTs }: Record<string, string>, inv: Invocation) => {
    if (!channel || !ts) throw new Error("stored answer has no message");
    return new SlackSink(chat, { channel, threadTs, userId: inv.userId, messageTs: ts });
  };
  const botDeps = {
    // One chat.update budget per workspace, shared by every run of this bot.
    budgets: new EditBudgets(),
    ...deps,
    dispatch: (inv: Invocation) => deps.dispatch(inv, { isWorkspaceAdmin }),
    answerSink,
  } satisfies BotDeps;

  const streaming = new StreamingPolicy(config.MOA_SLACK_STREAMING ?? "auto", (team, code) =>
    log.warn({ workspace: team, code }, "Slack refused streaming; using post-and-edit there"),
  );
  const sinkFor = (inv: Invocation, target: SlackSinkTarget): ChatSink => {
    const onError = (err: unknown, what: string) =>
      log.warn({ err, what, event: inv.eventKey }, "Slack call failed");
    const edits = new SlackSink(chat, target);
    const sink = streaming.wants(inv.workspaceId)
      ? new SlackStreamSink(chat, { ...target, teamId: inv.workspaceId }, streaming, edits, onError)
      : edits;
    if (!target.loadingStatus || target.threadTs === undefined) return sink;
    const where = { channel: target.channel, threadTs: target.threadTs };
    return new LoadingStatusSink(sink, app.client.assistant.threads, where, (e) =>
      onError(e, "assistant.threads.setStatus"),
    );
  };
  const suggestPrompts = promptSetter(app.client.assistant.threads, (err) =>
    log.warn({ err }, "assistant.threads.setSuggestedPrompts failed"),
  );

  const existing = existingMessageRuns(slackProfile, botDeps);
  const start = (inv: Invocation, target: SlackSinkTarget): void => {
    handleInvocation(inv, sinkFor(inv, target), slackProfile, botDeps).catch((err) =>
      log.error({ err, event: inv.eventKey }, "run escaped the shared flow"),
    );
  };
  registerSlackListeners(app, {
    start,
    regenerate: (press, target) => existing.regenerate(press, new SlackSink(chat, target)),
    suggestPrompts,
    ...(deps.gate && { stop: deps.gate.stop.bind(deps.gate) }),
    vote: deps.vote,
    log,
  });

  await app.init();
  let port: number | undefined;
  if (socket) {
    await app.start();
  } else {
    const server = await app.start({
      port: config.SLACK_PORT,
      ...(options.host === undefined ? {} : { host: options.host }),
    });
    port = (server.address() as AddressInfo).port;
  }
  log.info({ mode: socket ? "socket" : "http", port }, "Slack bot started");

  let stopping: Promise<void> | undefined;
  return {
    app,
    mode: socket ? "socket" : "http",
    port,
    resume: existing.resume,
    get running() {
      return deps.runs.size;
    },
    stop() {
      stopping ??= app.stop().then(() => deps.runs.idle().then(() => {}));
      return stopping;
    },
  };
}
