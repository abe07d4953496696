import type { ProviderConfig } from "./provider-config.js";

/** Where a preset's model id goes. */
export interface ResolvedModel {
  /** Configured provider name (`default` unless the id had a known `name:` prefix). */
  provider: string;
  /** Model id as the provider expects it. */
  model: string;
  /**
   * The part before the first `:` when it named no configured provider. It may be a
   * typo (`grok:` for `groq:`) or part of the model id (`llama3.1:8b`); commands decide.
   */
  unmatchedPrefix?: string;
}

/**
 * Routes a model id: `name:model` goes to provider `name` when it is configured,
 * otherwise the whole id is a model of the `default` provider (ids may hold `/` and `:`).
 */
export function resolveModel(id: string, providers: Record<string, ProviderConfig>): ResolvedModel {
  const colon = id.indexOf(":");
  if (colon > 0) {
    const prefix = id.slice(0, colon);
    if (Object.hasOwn(providers, prefix) && colon < id.length - 1) {
      return { provider: prefix, model: id.slice(colon + 1) };
    }
    return { provider: "default", model: id, unmatchedPrefix: prefix };
  }
  return { provider: "default", model: id };
}
