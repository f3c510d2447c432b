import type { Fetch } from '../src/http';

/** What the SDK asked: method, URL and the JSON body it sent. */
export interface SentRequest {
  method: string;
  url: string;
  body: unknown;
  init: RequestInit;
}

/** A fetch for the SDK's unit specs: answers from `respond` (called with each request) and records what it was asked. */
export function fakeFetch(respond: (request: SentRequest) => Response) {
  const requests: SentRequest[] = [];
  const fetch: Fetch = async (url, init) => {
    const request = { method: String(init.method), url, body: init.body === undefined ? undefined : JSON.parse(String(init.body)), init };
    requests.push(request);
    return respond(request);
  };
  return { requests, fetch };
}

export const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });
