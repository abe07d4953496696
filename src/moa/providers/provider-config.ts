/** An OpenAI-compatible endpoint moa-bot may call. */
export interface ProviderConfig {
  /** Lower-case name; `default` is the one from OPENAI_BASE_URL / OPENAI_API_KEY. */
  name: string;
  /** Base URL of the OpenAI-compatible API (ends in /v1 for most providers). */
  baseURL: string;
  /** API key; a placeholder for keyless servers such as Ollama. Never logged. */
  apiKey: string;
  /** Max concurrent calls to this provider across all runs (0 = unlimited). */
  maxConcurrency: number;
  /** Max requests per minute to this provider (0 = unlimited). */
  rpm: number;
}
