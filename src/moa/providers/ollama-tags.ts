/** How long the Ollama probe waits before deciding no server is there, ms. */
export const OLLAMA_PROBE_TIMEOUT_MS = 1_500;

/**
 * Names of the chat models an Ollama server has installed (`GET <url>/api/tags`, answering
 * `{"models":[{"name":"llama3.2:1b",...}]}`), or undefined
 * when nothing answers there in time or the answer is not Ollama's.
 */
export async function ollamaModels(
  baseUrl: string,
  timeoutMs = OLLAMA_PROBE_TIMEOUT_MS,
): Promise<string[] | undefined> {
  try {
    const res = await fetch(new URL("/api/tags", baseUrl), {
      signal: AbortSignal.timeout(timeoutMs),
    });
    if (!res.ok) return undefined;
    const body = (await res.json()) as { models?: Array<{ name?: unknown }> };
    if (!Array.isArray(body.models)) return undefined;
    return (
      body.models
        .map((m) => m.name)
        .filter((n): n is string => typeof n === "string")
        // Embedding-only models (nomic-embed-text, mxbai-embed-large...) cannot chat.
        .filter((n) => !/embed/i.test(n))
    );
  } catch {
    return undefined;
  }
}
