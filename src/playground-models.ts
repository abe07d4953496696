import type { Config } from "./config.js";
import { ollamaModels } from "./moa/providers/ollama-tags.js";

/** The provider URL that needs OPENAI_API_KEY (the default when OPENAI_BASE_URL is unset). */
const OPENAI_URL = "https://api.openai.com/v1";
/** Samples of the one Ollama model in the Self-MoA default (three drafts, then its own aggregate). */
const OLLAMA_SAMPLES = 3;

/** The config the playground runs with, and the line its page shows about the models. */
export interface PlaygroundModels {
  config: Config;
  /** Which models answer, or exactly which variable to set. */
  notice: string;
}

/**
 * With a provider configured, keeps it. Without OPENAI_API_KEY (and OPENAI_BASE_URL left at
 * OpenAI), uses a local Ollama when one answers on MOA_OLLAMA_URL: its first installed model
 * sampled three times and aggregating its own drafts (Self-MoA); otherwise says what to set.
 */
export async function playgroundModels(config: Config): Promise<PlaygroundModels> {
  const provider = config.providers.default;
  if (provider?.apiKey !== "not-needed" || provider.baseURL !== OPENAI_URL)
    return {
      config,
      notice: `Models: ${config.MOA_PROPOSERS.join(", ")} -> ${config.MOA_AGGREGATOR} (${config.MOA_LAYERS} layers) on ${provider?.baseURL ?? OPENAI_URL}.`,
    };
  const models = await ollamaModels(config.MOA_OLLAMA_URL);
  const model = models?.[0];
  if (!model)
    return {
      config,
      notice:
        "No model provider is set up, so questions will fail. Set OPENAI_API_KEY (in .env or the environment; " +
        "add OPENAI_BASE_URL for another OpenAI-compatible provider such as Together, Groq or vLLM), " +
        `or start Ollama with a model pulled (it is looked for at MOA_OLLAMA_URL=${config.MOA_OLLAMA_URL}), then restart.`,
    };
  const ollama = new URL("/v1", config.MOA_OLLAMA_URL).toString();
  return {
    config: {
      ...config,
      providers: { ...config.providers, default: { ...provider, baseURL: ollama } },
      MOA_PROPOSERS: Array.from({ length: OLLAMA_SAMPLES }, () => model),
      MOA_AGGREGATOR: model,
      MOA_LAYERS: 2,
    },
    notice:
      `No OPENAI_API_KEY is set, so the playground uses your local Ollama (${config.MOA_OLLAMA_URL}): ` +
      `Self-MoA with ${model}, sampled ${OLLAMA_SAMPLES} times, then aggregating its own drafts. ` +
      "Set OPENAI_API_KEY to use another provider.",
  };
}
