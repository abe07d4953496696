import type { ChatModel } from "../chat-model.js";
import { OpenAICompatibleModel } from "../providers/openai-compatible.js";
import type { ProviderConfig } from "../providers/provider-config.js";
import { resolveModel } from "../providers/resolve-model.js";
import { ProviderScheduler, type SharedStartBudget } from "./provider-scheduler.js";

/** What the model chain needs of the configuration (`Config` fits as is). */
export interface ModelChainSettings {
  /** Providers by name, with their limits (0 = learnt from the provider's 429s). */
  providers: Record<string, ProviderConfig>;
}

/** Where the chain reports provider pauses (`Logger` fits as is). */
export interface ModelChainLog {
  warn(obj: object, msg: string): void;
}

/** The model every run uses, and the scheduler in it (for queue metrics). */
export interface ModelChain {
  /** Provider calls, shaped per provider: the `ChatModel` to hand to the engine. */
  model: ChatModel;
  /** The traffic shaper itself (`load()` for metrics). */
  scheduler: ProviderScheduler;
}

/**
 * The provider adapter behind one shared scheduler, so every run of this process queues
 * for the same provider budgets and learns from the same 429s; with `sharedBudget` the
 * request budgets also hold across instances.
 */
export function createModelChain(
  settings: ModelChainSettings,
  log: ModelChainLog,
  sharedBudget?: SharedStartBudget,
): ModelChain {
  const { providers } = settings;
  const scheduler = new ProviderScheduler(new OpenAICompatibleModel(providers), {
    providerOf: (id) => resolveModel(id, providers).provider,
    limits: providers,
    ...(sharedBudget && { sharedBudget }),
    onPause: (provider, ms) =>
      log.warn({ provider, ms }, "provider rate-limited; pausing its calls"),
  });
  return { model: scheduler, scheduler };
}
