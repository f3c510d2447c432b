import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Logger } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { FederationStates } from '../application/federation-states';
import { FEDERATION_CALLBACK_PATH, HostedSignIn, ProviderAnswer, SignInAnswer, SignInFields } from '../application/hosted-sign-in';
import { OpenIdProvider } from '../application/openid-provider';
import { INTERACTION_PATH, PROVIDER_ROUTES } from '../application/provider-configuration';
import { escapeHtml, pagePolicy, renderPage, STYLESHEET_PATH } from './pages';
import { signInPage } from './sign-in.page';

const STYLESHEET = readFileSync(join(__dirname, '..', 'web', 'sign-in.css'), 'utf8');
const FORM_LIMIT_BYTES = 8 * 1024;
const logger = new Logger('OpenIdProvider');

/** Helmet's headers (and the request id) the app's hooks put on Fastify's reply, onto the raw response the provider writes. */
function keepHeaders(reply: FastifyReply): void {
  for (const [name, value] of Object.entries(reply.getHeaders())) if (value !== undefined) reply.raw.setHeader(name, value as string);
}

/** The provider's endpoints: the raw request goes to oidc-provider, which reads its own body (no parser of ours runs). */
function providerEndpoints(openId: OpenIdProvider) {
  return async (instance: FastifyInstance): Promise<void> => {
    instance.removeAllContentTypeParsers();
    instance.addContentTypeParser('*', (_request, _payload, done) => done(null, undefined));
    const handler = (request: FastifyRequest, reply: FastifyReply) => {
      keepHeaders(reply);
      reply.hijack();
      openId.handle(request.raw, reply.raw);
    };
    for (const [url, methods] of PROVIDER_ROUTES) instance.route({ method: methods, url, handler });
  };
}

function sendPage(reply: FastifyReply, status: number, html: string, continueTo: string[] = []): void {
  void reply
    .status(status)
    .header('content-security-policy', pagePolicy(continueTo))
    .header('cache-control', 'no-store')
    .type('text/html; charset=utf-8')
    .send(html);
}

function answer(reply: FastifyReply, result: SignInAnswer): void {
  if (result.kind === 'redirect') {
    void reply.header('cache-control', 'no-store').redirect(result.to, 303);
    return;
  }
  sendPage(reply, result.error ? 401 : 200, signInPage(result), [result.redirectUri]);
}

/** An interaction that expired or was never started: said plainly, never a 5xx. */
function failed(reply: FastifyReply, error: unknown): void {
  const { name, message } = error as Error;
  if (name !== 'SessionNotFound' && name !== 'InvalidRequest') logger.error(`Sign-in page failed: ${message}`, (error as Error).stack);
  problemPage(reply, name === 'SessionNotFound');
}

function problemPage(reply: FastifyReply, expired: boolean): void {
  sendPage(
    reply,
    expired ? 400 : 500,
    renderPage(
      'Sign-in problem',
      `      <p role="alert" class="error">${escapeHtml(expired ? 'This sign-in has expired or is not valid.' : 'Something went wrong.')}</p>
      <p>Go back to the application and start again.</p>`,
    ),
  );
}

/** A string field of a parsed body or query, cut to a sane length; anything else is absent. */
function stringField(fields: unknown, name: string, max = 1000): string | undefined {
  const value = (fields as Record<string, unknown> | undefined)?.[name];
  return typeof value === 'string' ? value.slice(0, max) : undefined;
}

/** What a provider's answer carries that Careid reads (RFC 6749 4.1.2, RFC 9207's `iss`). */
const ANSWER_FIELDS = ['code', 'state', 'error', 'iss'] as const;

/**
 * "Continue with <provider>" (a link: a GET, so that no form-action rule holds the redirect to the provider) and the
 * provider's answer. Every provider sends people back to the one callback URL, which finds the interaction by the
 * state and sends the browser on to that interaction's own path, where its cookie is.
 */
function federationRoutes(signIn: HostedSignIn) {
  return async (instance: FastifyInstance): Promise<void> => {
    instance.get<{ Params: { uid: string; alias: string } }>(`${INTERACTION_PATH}/:uid/federation/:alias`, async (request, reply) => {
      try {
        answer(reply, await signIn.continueWith(request.raw, reply.raw, request.params.alias.slice(0, 100)));
      } catch (error) {
        failed(reply, error);
      }
    });
    instance.get(FEDERATION_CALLBACK_PATH, async (request, reply) => {
      const uid = FederationStates.uidOf(stringField(request.query, 'state'));
      if (!uid) return problemPage(reply, true);
      const query = new URLSearchParams();
      for (const name of ANSWER_FIELDS) {
        const value = stringField(request.query, name, 4096);
        if (value !== undefined) query.set(name, value);
      }
      void reply.header('cache-control', 'no-store').redirect(`${INTERACTION_PATH}/${uid}/callback?${query}`, 303);
    });
    instance.get(`${INTERACTION_PATH}/:uid/callback`, async (request, reply) => {
      const provided = Object.fromEntries(ANSWER_FIELDS.map((name) => [name, stringField(request.query, name, 4096)])) as ProviderAnswer;
      try {
        answer(reply, await signIn.federationCallback(request.raw, reply.raw, provided));
      } catch (error) {
        failed(reply, error);
      }
    });
  };
}

/** The hosted sign-in page: GET shows the step, POST takes a form (urlencoded, small). */
function signInRoutes(signIn: HostedSignIn) {
  return async (instance: FastifyInstance): Promise<void> => {
    instance.removeAllContentTypeParsers();
    instance.addContentTypeParser(
      'application/x-www-form-urlencoded',
      { parseAs: 'string', bodyLimit: FORM_LIMIT_BYTES },
      (_request, body, done) => done(null, Object.fromEntries(new URLSearchParams(body as string))),
    );
    instance.get(`${INTERACTION_PATH}/:uid`, async (request, reply) => {
      try {
        answer(reply, await signIn.open(request.raw, reply.raw));
      } catch (error) {
        failed(reply, error);
      }
    });
    instance.post(`${INTERACTION_PATH}/:uid`, async (request, reply) => {
      const field = (name: string) => stringField(request.body, name);
      const fields: SignInFields = { login: field('login'), password: field('password'), code: field('code') };
      try {
        answer(reply, await signIn.submit(request.raw, reply.raw, fields));
      } catch (error) {
        failed(reply, error);
      }
    });
    instance.get(STYLESHEET_PATH, (_request, reply) => {
      void reply.header('cache-control', 'public, max-age=300').type('text/css; charset=utf-8').send(STYLESHEET);
    });
  };
}

/** Mounts the OpenID provider (issuer PUBLIC_URL) beside the Nest routes, outside the guard and the JSON body parser. */
export async function mountOpenIdProvider(app: NestFastifyApplication): Promise<void> {
  const fastify = app.getHttpAdapter().getInstance() as unknown as FastifyInstance;
  await fastify.register(providerEndpoints(app.get(OpenIdProvider)));
  await fastify.register(signInRoutes(app.get(HostedSignIn)));
  await fastify.register(federationRoutes(app.get(HostedSignIn)));
}
