/**
 * The few shapes of oidc-provider (an ES module without bundled types) that
 * Careid touches. Its objects are handed around as these; anything else stays
 * inside the library.
 */
export interface ProviderContext {
  oidc: {
    route?: string;
    client?: { clientId: string; clientAuthMethod: string };
    session?: ProviderSession;
    result?: Record<string, any>;
    params?: Record<string, unknown>;
    account?: unknown;
    entities: Record<string, any>;
    provider: unknown;
  };
  body: unknown;
  type: string;
  status: number;
  set(name: string, value: string): void;
  response: { get(name: string): string };
}

export interface ProviderSession {
  uid: string;
  accountId?: string;
  /** What RP-initiated logout keeps between its page and its confirmation. */
  state?: { postLogoutRedirectUri?: unknown };
  authorizations?: Record<string, { grantId?: string }>;
  destroyed?: boolean;
  grantIdFor(clientId: string): string | undefined;
}

export interface ProviderToken {
  kind?: string;
  accountId?: string;
  grantId?: string;
  clientId?: string;
  sessionUid?: string;
  exp?: number;
  extra?: Record<string, unknown>;
}

export interface ProviderGrant {
  jti?: string;
  addOIDCScope(scope: string): void;
  addOIDCClaims(claims: string[]): void;
  addResourceScope(resource: string, scope: string): void;
  save(): Promise<string>;
}

export interface InteractionDetails {
  uid: string;
  prompt: { name: string; reasons: string[]; details: Record<string, any> };
  params: Record<string, any>;
  session?: { uid: string; accountId: string };
  lastSubmission?: Record<string, any>;
  result?: Record<string, any>;
  grantId?: string;
  exp: number;
  save(ttl: number): Promise<unknown>;
}

/** The Provider instance, as far as Careid uses it. */
export interface OidcProviderInstance {
  issuer: string;
  proxy: boolean;
  callback(): (req: unknown, res: unknown) => void;
  use(middleware: (ctx: ProviderContext, next: () => Promise<void>) => Promise<void>): void;
  on(event: string, listener: (...args: any[]) => void): void;
  interactionDetails(req: unknown, res: unknown): Promise<InteractionDetails>;
  interactionResult(
    req: unknown,
    res: unknown,
    result: Record<string, unknown>,
    options?: { mergeWithLastSubmission?: boolean },
  ): Promise<string>;
  Grant: { new (properties: { accountId: string; clientId: string }): ProviderGrant; find(id: string): Promise<ProviderGrant | undefined> };
  AccessToken: { find(value: string): Promise<ProviderToken | undefined> };
}

/** The module's exports: the Provider class, and the interaction policy helpers. */
export interface OidcProviderModule {
  default: new (issuer: string, configuration: Record<string, unknown>) => OidcProviderInstance;
  interactionPolicy: {
    base(): { get(name: string): { checks: { add(check: unknown, index?: number): void } } } & unknown[];
    Check: (new (reason: string, description: string, check: (ctx: ProviderContext) => Promise<boolean> | boolean) => unknown) & {
      REQUEST_PROMPT: boolean;
      NO_NEED_TO_PROMPT: boolean;
    };
  };
}
