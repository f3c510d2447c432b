import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * Who is asking, from where, under which request id: set for each HTTP
 * request (the authentication guard adds the actor) and read by the audit
 * trail, so services do not pass it around.
 */
export interface RequestContext {
  requestId: string;
  /** The W3C trace this request belongs to (an incoming `traceparent`, or the span tracing started). */
  traceId?: string;
  ip?: string;
  actorId?: string;
  actorLogin?: string;
}

const storage = new AsyncLocalStorage<RequestContext>();

export const requestContext = {
  run<T>(context: RequestContext, work: () => T): T {
    return storage.run(context, work);
  },
  get(): RequestContext | undefined {
    return storage.getStore();
  },
  /** Records the authenticated actor on the current request. */
  setActor(actorId: string, actorLogin?: string): void {
    const context = storage.getStore();
    if (context) {
      context.actorId = actorId;
      context.actorLogin = actorLogin;
    }
  },
};
