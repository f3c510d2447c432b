/** Why a document of an identity provider could not be read; the message names the URL, never what it answered. */
export class ProviderFetchError extends Error {
  override readonly name = 'ProviderFetchError';
}

export interface BoundedFetch {
  timeoutMs: number;
  maxBytes: number;
}

/** Discovery documents and key sets are a few kilobytes; a provider answering more (or slower) is refused. */
export const PROVIDER_FETCH: BoundedFetch = { timeoutMs: 5000, maxBytes: 256 * 1024 };

/**
 * GETs a JSON object from an identity provider with a deadline and a size cap, following no redirect (the
 * URLs come from the issuer an admin configured, or from its discovery document).
 */
export async function fetchProviderJson(
  url: string,
  { timeoutMs, maxBytes }: BoundedFetch = PROVIDER_FETCH,
): Promise<Record<string, unknown>> {
  let response: Response;
  try {
    response = await fetch(url, { headers: { accept: 'application/json' }, redirect: 'error', signal: AbortSignal.timeout(timeoutMs) });
  } catch (error) {
    const reason = (error as Error).name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : 'the connection failed';
    throw new ProviderFetchError(`GET ${url}: ${reason}`);
  }
  if (response.status !== 200) {
    await response.body?.cancel().catch(() => undefined);
    throw new ProviderFetchError(`GET ${url} answered ${response.status}`);
  }
  const text = await readCapped(url, response, maxBytes);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new ProviderFetchError(`GET ${url} did not answer JSON`);
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed))
    throw new ProviderFetchError(`GET ${url} did not answer a JSON object`);
  return parsed as Record<string, unknown>;
}

async function readCapped(url: string, response: Response, maxBytes: number): Promise<string> {
  const tooLarge = () => new ProviderFetchError(`GET ${url} answered more than ${maxBytes} bytes`);
  if (Number(response.headers.get('content-length') ?? 0) > maxBytes) {
    await response.body?.cancel().catch(() => undefined);
    throw tooLarge();
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for await (const chunk of response.body ?? []) {
      size += chunk.length;
      // Leaving the loop cancels the stream.
      if (size > maxBytes) throw tooLarge();
      chunks.push(chunk);
    }
  } catch (error) {
    if (error instanceof ProviderFetchError) throw error;
    throw new ProviderFetchError(`GET ${url}: the answer was cut off`);
  }
  return Buffer.concat(chunks).toString('utf8');
}
