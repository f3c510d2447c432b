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
export async function fetchProviderJson(url: string, limits: BoundedFetch = PROVIDER_FETCH): Promise<Record<string, unknown>> {
  const { status, body } = await requestProviderJson('GET', url, { accept: 'application/json' }, undefined, limits);
  if (status !== 200) throw new ProviderFetchError(`GET ${url} answered ${status}`);
  return body;
}

/**
 * POSTs a form to a provider's token endpoint (the same deadline, size cap and no redirect) and answers its status
 * and JSON object, errors included (`{"error": "invalid_grant"}` is an answer, not a failure).
 */
export async function postProviderForm(
  url: string,
  form: Record<string, string>,
  headers: Record<string, string> = {},
  limits: BoundedFetch = PROVIDER_FETCH,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const sent = { accept: 'application/json', 'content-type': 'application/x-www-form-urlencoded', ...headers };
  return requestProviderJson('POST', url, sent, new URLSearchParams(form).toString(), limits);
}

async function requestProviderJson(
  method: 'GET' | 'POST',
  url: string,
  headers: Record<string, string>,
  body: string | undefined,
  { timeoutMs, maxBytes }: BoundedFetch,
): Promise<{ status: number; body: Record<string, unknown> }> {
  let response: Response;
  try {
    response = await fetch(url, { method, headers, body, redirect: 'error', signal: AbortSignal.timeout(timeoutMs) });
  } catch (error) {
    const reason = (error as Error).name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : 'the connection failed';
    throw new ProviderFetchError(`${method} ${url}: ${reason}`);
  }
  if (response.status >= 500 || (method === 'GET' && response.status !== 200)) {
    await response.body?.cancel().catch(() => undefined);
    throw new ProviderFetchError(`${method} ${url} answered ${response.status}`);
  }
  const text = await readCapped(`${method} ${url}`, response, maxBytes);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new ProviderFetchError(`${method} ${url} did not answer JSON`);
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed))
    throw new ProviderFetchError(`${method} ${url} did not answer a JSON object`);
  return { status: response.status, body: parsed as Record<string, unknown> };
}

async function readCapped(request: string, response: Response, maxBytes: number): Promise<string> {
  const tooLarge = () => new ProviderFetchError(`${request} answered more than ${maxBytes} bytes`);
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
    throw new ProviderFetchError(`${request}: the answer was cut off`);
  }
  return Buffer.concat(chunks).toString('utf8');
}
