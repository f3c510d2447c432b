import { CareidApiError } from './errors.js';
import type { ApiPaths } from './contract.js';

export type Method = 'get' | 'post' | 'put' | 'delete';

/** The paths of the API that have an operation for `method`. */
export type PathWith<M extends Method> = { [P in keyof ApiPaths]: undefined extends ApiPaths[P][M] ? never : P }[keyof ApiPaths];

export type Operation<P extends keyof ApiPaths, M extends Method> = NonNullable<ApiPaths[P][M]>;

type PathParams<O> = O extends { parameters: { path: infer A } } ? A : undefined;
type QueryParams<O> = O extends { parameters: { query?: infer Q } } ? Q : undefined;
type JsonBody<O> = O extends { requestBody: { content: { 'application/json': infer B } } } ? B : undefined;
type JsonOf<R> = R extends { content: { 'application/json': infer T } } ? T : undefined;
type Responses<O> = O extends { responses: infer R } ? R : never;

/** What a successful call answers: the JSON of its 2xx response, `undefined` for 204. */
export type ResultOf<O> = JsonOf<Responses<O>[Extract<keyof Responses<O>, 200 | 201 | 202 | 204>]>;

/** Path parameters, query and body of a call, as the OpenAPI document types them. */
export type CallOf<O> = ([PathParams<O>] extends [undefined] ? { path?: undefined } : { path: PathParams<O> }) & {
  query?: QueryParams<O>;
} & ([JsonBody<O>] extends [undefined] ? { body?: undefined } : { body: JsonBody<O> });

type Args<O> = object extends CallOf<O> ? [call?: CallOf<O>] : [call: CallOf<O>];

/** Where access tokens come from: the logged-in session, which logs in or refreshes when it must. */
export interface AccessTokenSource {
  accessToken(): Promise<string>;
  /** The server refused `rejected` as expired: renew it (once, however many requests saw it). */
  expired(rejected: string): Promise<void>;
}

export type Fetch = (input: string, init: RequestInit) => Promise<Response>;

/**
 * A small fetch client typed by the generated `paths` (and the contract's routes not generated yet): a call
 * that compiles sends what the server accepts.
 */
export class HttpClient {
  readonly baseUrl: string;

  constructor(
    baseUrl: string,
    private readonly fetchImpl: Fetch,
    private readonly session?: AccessTokenSource,
  ) {
    this.baseUrl = baseUrl.replace(/\/+$/, '');
  }

  /** The same server and fetch, with a session's tokens. */
  withSession(session: AccessTokenSource): HttpClient {
    return new HttpClient(this.baseUrl, this.fetchImpl, session);
  }

  get<P extends PathWith<'get'>>(path: P, ...[call]: Args<Operation<P, 'get'>>): Promise<ResultOf<Operation<P, 'get'>>> {
    return this.request('GET', path, call);
  }

  post<P extends PathWith<'post'>>(path: P, ...[call]: Args<Operation<P, 'post'>>): Promise<ResultOf<Operation<P, 'post'>>> {
    return this.request('POST', path, call);
  }

  put<P extends PathWith<'put'>>(path: P, ...[call]: Args<Operation<P, 'put'>>): Promise<ResultOf<Operation<P, 'put'>>> {
    return this.request('PUT', path, call);
  }

  delete<P extends PathWith<'delete'>>(path: P, ...[call]: Args<Operation<P, 'delete'>>): Promise<ResultOf<Operation<P, 'delete'>>> {
    return this.request('DELETE', path, call);
  }

  /**
   * Opens a streaming GET (Server-Sent Events) with the session's access token in the Authorization header, renewing
   * it once when the server calls it expired. The open response, whose body the caller reads; a refusal throws.
   */
  async openStream(path: PathWith<'get'>, headers: Record<string, string>, signal: AbortSignal): Promise<Response> {
    const url = this.baseUrl + path;
    const response = await this.authorized((token) => {
      const all: Record<string, string> = { accept: 'text/event-stream, application/problem+json', ...headers };
      if (token) all.authorization = `Bearer ${token}`;
      return this.fetchImpl(url, { method: 'GET', headers: all, signal });
    });
    if (!response.ok) throw await CareidApiError.fromResponse(response);
    return response;
  }

  private async request<T>(method: string, path: string, call: { path?: object; query?: object; body?: unknown } = {}): Promise<T> {
    const url = this.baseUrl + fillPath(path, call.path) + queryString(call.query);
    const response = await this.authorized((token) => this.send(method, url, call.body, token));
    if (!response.ok) throw await CareidApiError.fromResponse(response);
    if (response.status === 204) return undefined as T;
    return (await response.json()) as T;
  }

  /** Sends with the session's token; when the server calls it expired, renews it and sends once more. */
  private async authorized(send: (token: string | undefined) => Promise<Response>): Promise<Response> {
    const token = await this.session?.accessToken();
    const response = await send(token);
    if (response.status !== 401 || !this.session || !token) return response;
    const error = await CareidApiError.fromResponse(response);
    if (error.code !== 'ACCESS_TOKEN_EXPIRED') throw error;
    await this.session.expired(token);
    return send(await this.session.accessToken());
  }

  private send(method: string, url: string, body: unknown, token: string | undefined): Promise<Response> {
    const headers: Record<string, string> = { accept: 'application/json, application/problem+json' };
    if (token) headers.authorization = `Bearer ${token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    return this.fetchImpl(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  }
}

function fillPath(template: string, params: object = {}): string {
  return template.replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = (params as Record<string, unknown>)[name];
    if (value === undefined || value === null || value === '') throw new TypeError(`Missing path parameter "${name}" for ${template}`);
    return encodeURIComponent(String(value));
  });
}

/** Arrays as repeated keys (OpenAPI's default `form`, `explode: true`); undefined and null left out. */
function queryString(query: object = {}): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    for (const item of Array.isArray(value) ? value : [value]) {
      if (item !== undefined && item !== null) search.append(key, String(item));
    }
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}
