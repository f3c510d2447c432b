/**
 * The environment, validated once at start-up and turned into typed settings.
 *
 * Every variable is declared here with its type and its default; a missing or
 * malformed value stops start-up with a message naming the variable. This is
 * the only file that reads raw environment values.
 */
import { isIP } from 'node:net';

type Kind = 'string' | 'int' | 'url' | 'postgres-url' | 'list' | 'enum';

interface VariableSpec {
  kind: Kind;
  /** Development default; `undefined` means optional with no value. */
  default?: string;
  /** Required (no default applies) when NODE_ENV=production. */
  requiredInProduction?: boolean;
  min?: number;
  max?: number;
  values?: readonly string[];
}

export const DEFAULT_ADMIN_PASSWORD = 'change-me-admin-password';
const DEFAULT_JWT_SECRET = 'dev-only-jwt-secret-change-me-0123456789abcdef';
/** Development only (32 bytes, hex): production must set its own DATA_ENCRYPTION_KEY. */
const DEFAULT_DATA_ENCRYPTION_KEY = '000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f';

const VARIABLES = {
  NODE_ENV: { kind: 'enum', default: 'development', values: ['development', 'production', 'test'] },
  PORT: { kind: 'int', default: '3000', min: 0, max: 65535 },
  LOG_LEVEL: {
    kind: 'enum',
    default: 'info',
    values: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'],
  },
  DATABASE_URL: { kind: 'postgres-url', requiredInProduction: true },
  EMBEDDED_PG_DIR: { kind: 'string', default: '.data/postgres' },
  DB_POOL_SIZE: { kind: 'int', default: '10', min: 1, max: 200 },
  DB_STATEMENT_TIMEOUT_MS: { kind: 'int', default: '5000', min: 100, max: 600000 },
  ADMIN_LOGIN: { kind: 'string', default: 'admin', requiredInProduction: true },
  ADMIN_PASSWORD: { kind: 'string', default: DEFAULT_ADMIN_PASSWORD, requiredInProduction: true },
  JWT_SECRET: { kind: 'string', default: DEFAULT_JWT_SECRET, requiredInProduction: true },
  DATA_ENCRYPTION_KEY: { kind: 'string', default: DEFAULT_DATA_ENCRYPTION_KEY, requiredInProduction: true },
  PUBLIC_URL: { kind: 'url', default: 'http://localhost:3000', requiredInProduction: true },
  ALLOWED_REDIRECT_ORIGINS: { kind: 'list', default: '' },
  SMTP_URL: { kind: 'url' },
  MAIL_FROM: { kind: 'string', default: 'Careid <no-reply@careid.local>' },
  SMS_GATEWAY_URL: { kind: 'url' },
  BCRYPT_COST: { kind: 'int', default: '12', min: 10, max: 15 },
  AUTH_RATE_LIMIT_PER_MINUTE: { kind: 'int', default: '60', min: 0, max: 1000000 },
  GROUP_ID: { kind: 'string', default: 'default' },
  CORS_ORIGINS: { kind: 'list', default: '' },
  TRUST_PROXY: { kind: 'list', default: '' },
  LOCKOUT_MAX_FAILURES: { kind: 'int', default: '5', min: 1, max: 1000 },
  LOCKOUT_BASE_SECONDS: { kind: 'int', default: '60', min: 1, max: 86400 },
  LOCKOUT_MAX_SECONDS: { kind: 'int', default: '900', min: 1, max: 604800 },
  TOKEN_MAX_VALIDITY_SECONDS: { kind: 'int', default: '2592000', min: 1, max: 315360000 },
  LONG_LIVED_TOKEN_SECONDS: { kind: 'int', default: '15552000', min: 60, max: 315360000 },
  ACCESS_TOKEN_SECONDS: { kind: 'int', default: '900', min: 1, max: 86400 },
  REFRESH_IDLE_SECONDS: { kind: 'int', default: '1800', min: 1, max: 31536000 },
  REFRESH_ABSOLUTE_SECONDS: { kind: 'int', default: '43200', min: 1, max: 31536000 },
  BODY_LIMIT_BYTES: { kind: 'int', default: '1048576', min: 1024, max: 104857600 },
  INVITATION_EXPIRES_SECONDS: { kind: 'int', default: '604800', min: 60, max: 31536000 },
  PASSWORD_RESET_SECONDS: { kind: 'int', default: '3600', min: 60, max: 604800 },
  PASSWORD_RESET_MIN_INTERVAL_SECONDS: { kind: 'int', default: '300', min: 0, max: 86400 },
  OUTBOX_POLL_MS: { kind: 'int', default: '1000', min: 10, max: 600000 },
  OUTBOX_MAX_ATTEMPTS: { kind: 'int', default: '8', min: 1, max: 100 },
  OUTBOX_BASE_DELAY_MS: { kind: 'int', default: '2000', min: 1, max: 3600000 },
  FEDERATION_JWKS_COOLDOWN_SECONDS: { kind: 'int', default: '30', min: 0, max: 3600 },
  METRICS_TOKEN: { kind: 'string' },
  OTEL_EXPORTER_OTLP_ENDPOINT: { kind: 'url' },
  OTEL_SERVICE_NAME: { kind: 'string', default: 'careid' },
} as const satisfies Record<string, VariableSpec>;

export type VariableName = keyof typeof VARIABLES;
export type Environment = Partial<Record<string, string | undefined>>;

const NAMED_PROXY_RANGES = ['loopback', 'linklocal', 'uniquelocal'];

/** An address, a CIDR range or one of proxy-addr's named ranges (what Fastify's trustProxy takes). */
function isProxyAddress(entry: string): boolean {
  if (NAMED_PROXY_RANGES.includes(entry)) return true;
  const [address, bits, ...rest] = entry.split('/');
  const family = isIP(address);
  if (!family || rest.length) return false;
  return bits === undefined || (/^\d{1,3}$/.test(bits) && Number(bits) <= (family === 4 ? 32 : 128));
}

/** `https://app.example` (scheme, host, optional port) as the origin it names; undefined for anything more or less. */
function originOf(entry: string): string | undefined {
  let url: URL;
  try {
    url = new URL(entry);
  } catch {
    return undefined;
  }
  const bare = url.pathname === '/' && !url.search && !url.hash && !url.username && !url.password && !/[?#]/.test(entry);
  return ['http:', 'https:'].includes(url.protocol) && bare ? url.origin : undefined;
}

/** One mailbox, `address` or `Name <address>`, on one line. */
const MAIL_FROM_SHAPE = /^(?:[^<>\p{Cc}\p{Zl}\p{Zp}]*<[^\s<>@",;]+@[^\s<>@",;]+>|[^\s<>@",;]+@[^\s<>@",;]+)$/u;

export class ConfigurationError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigurationError';
  }
}

function parseVariable(name: string, spec: VariableSpec, raw: string, problems: string[]): unknown {
  switch (spec.kind) {
    case 'int': {
      const value = Number(raw);
      if (!/^-?\d+$/.test(raw) || !Number.isSafeInteger(value)) {
        problems.push(`${name} must be an integer, got "${raw}"`);
        return undefined;
      }
      if ((spec.min !== undefined && value < spec.min) || (spec.max !== undefined && value > spec.max)) {
        problems.push(`${name} must be between ${spec.min} and ${spec.max}, got ${value}`);
        return undefined;
      }
      return value;
    }
    case 'url':
    case 'postgres-url': {
      let url: URL;
      try {
        url = new URL(raw);
      } catch {
        problems.push(`${name} must be a URL, got "${raw.replace(/\/\/[^@/]*@/, '//***@')}"`);
        return undefined;
      }
      if (spec.kind === 'postgres-url' && !['postgres:', 'postgresql:'].includes(url.protocol)) {
        problems.push(`${name} must start with postgres:// or postgresql://`);
        return undefined;
      }
      return raw.replace(/\/+$/, spec.kind === 'url' ? '' : '/');
    }
    case 'list':
      return raw
        .split(',')
        .map((item) => item.trim())
        .filter(Boolean);
    case 'enum':
      if (!spec.values!.includes(raw)) {
        problems.push(`${name} must be one of ${spec.values!.join(', ')}, got "${raw}"`);
        return undefined;
      }
      return raw;
    default:
      return raw;
  }
}

type Parsed = Record<VariableName, any>;

/** 32 bytes from 64 hex digits or base64; undefined for anything else. */
function parseEncryptionKey(raw: string): Buffer | undefined {
  if (/^[0-9a-fA-F]{64}$/.test(raw)) return Buffer.from(raw, 'hex');
  if (/^[A-Za-z0-9+/]{43}=?$/.test(raw)) {
    const key = Buffer.from(raw, 'base64');
    if (key.length === 32) return key;
  }
  return undefined;
}

function parseEnvironment(env: Environment): Parsed {
  const problems: string[] = [];
  const production = env.NODE_ENV === 'production';
  const parsed: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(VARIABLES) as [string, VariableSpec][]) {
    const given = env[name];
    const raw = given !== undefined && given !== '' ? given : production && spec.requiredInProduction ? undefined : spec.default;
    if (raw === undefined) {
      if (production && spec.requiredInProduction) problems.push(`${name} is required when NODE_ENV=production`);
      continue;
    }
    parsed[name] = parseVariable(name, spec, raw, problems);
  }
  if (env.NODE_ENV === 'test' && env.BCRYPT_COST && /^\d+$/.test(env.BCRYPT_COST)) {
    // Tests may lower the work factor (never below bcrypt's own minimum of 4).
    const cost = Number(env.BCRYPT_COST);
    if (cost >= 4 && cost < 10) {
      parsed.BCRYPT_COST = cost;
      const index = problems.findIndex((problem) => problem.startsWith('BCRYPT_COST '));
      if (index >= 0) problems.splice(index, 1);
    }
  }
  if (production) {
    if (parsed.ADMIN_PASSWORD === DEFAULT_ADMIN_PASSWORD) {
      problems.push('ADMIN_PASSWORD must not be the .env.example default when NODE_ENV=production');
    } else if (typeof parsed.ADMIN_PASSWORD === 'string' && parsed.ADMIN_PASSWORD.length < 12) {
      problems.push('ADMIN_PASSWORD must be at least 12 characters when NODE_ENV=production');
    }
    if (parsed.JWT_SECRET === DEFAULT_JWT_SECRET) {
      problems.push('JWT_SECRET must not be the development default when NODE_ENV=production');
    } else if (typeof parsed.JWT_SECRET === 'string' && parsed.JWT_SECRET.length < 32) {
      problems.push('JWT_SECRET must be at least 32 characters when NODE_ENV=production');
    }
  }
  if (typeof parsed.DATA_ENCRYPTION_KEY === 'string') {
    const key = parseEncryptionKey(parsed.DATA_ENCRYPTION_KEY);
    if (!key) problems.push('DATA_ENCRYPTION_KEY must be 32 bytes, as 64 hex digits or in base64 (openssl rand -base64 32)');
    else if (production && parsed.DATA_ENCRYPTION_KEY === DEFAULT_DATA_ENCRYPTION_KEY)
      problems.push('DATA_ENCRYPTION_KEY must not be the development default when NODE_ENV=production');
    parsed.DATA_ENCRYPTION_KEY = key;
  }
  for (const entry of (parsed.TRUST_PROXY as string[] | undefined) ?? []) {
    if (!isProxyAddress(entry)) {
      problems.push(`TRUST_PROXY entries must be IP addresses, CIDR ranges or loopback/linklocal/uniquelocal, got "${entry}"`);
    }
  }
  // A browser sends its Origin without a trailing slash, path or wildcard: anything else would silently match nothing.
  for (const entry of (parsed.CORS_ORIGINS as string[] | undefined) ?? []) {
    if (originOf(entry) !== entry || entry.includes('*')) {
      problems.push(
        `CORS_ORIGINS entries must be exact origins such as https://app.example (no trailing slash, path or wildcard), got "${entry}"`,
      );
    }
  }
  for (const entry of (parsed.ALLOWED_REDIRECT_ORIGINS as string[] | undefined) ?? []) {
    if (!originOf(entry)) {
      problems.push(`ALLOWED_REDIRECT_ORIGINS entries must be http(s) origins such as https://app.example (no path), got "${entry}"`);
    }
  }
  if (typeof parsed.MAIL_FROM === 'string' && !MAIL_FROM_SHAPE.test(parsed.MAIL_FROM)) {
    problems.push('MAIL_FROM must be one address, "address" or "Name <address>", on one line');
  }
  if (
    typeof parsed.LOCKOUT_BASE_SECONDS === 'number' &&
    typeof parsed.LOCKOUT_MAX_SECONDS === 'number' &&
    parsed.LOCKOUT_MAX_SECONDS < parsed.LOCKOUT_BASE_SECONDS
  ) {
    problems.push('LOCKOUT_MAX_SECONDS must not be smaller than LOCKOUT_BASE_SECONDS');
  }
  // Prometheus scrapers send it with every scrape: long enough that it cannot be guessed.
  if (typeof parsed.METRICS_TOKEN === 'string' && parsed.METRICS_TOKEN.length < 16) {
    problems.push('METRICS_TOKEN must be at least 16 characters');
  }
  if (problems.length) throw new ConfigurationError(problems);
  return parsed as Parsed;
}

/** Typed settings, grouped by concern. */
export function buildConfiguration(env: Environment) {
  const v = parseEnvironment(env);
  return {
    app: {
      nodeEnv: v.NODE_ENV as 'development' | 'production' | 'test',
      port: v.PORT as number,
      logLevel: v.LOG_LEVEL as string,
      publicUrl: v.PUBLIC_URL as string,
      corsOrigins: v.CORS_ORIGINS as string[],
      /** Origins a `loginUrl` or `redirectUrl` may point to: ALLOWED_REDIRECT_ORIGINS, else PUBLIC_URL's own. */
      allowedRedirectOrigins: (v.ALLOWED_REDIRECT_ORIGINS as string[]).length
        ? (v.ALLOWED_REDIRECT_ORIGINS as string[]).map((entry) => originOf(entry)!)
        : [new URL(v.PUBLIC_URL as string).origin],
      /** Proxies whose X-Forwarded-For is believed (the client's address for rate limits and the audit trail); none by default. */
      trustedProxies: v.TRUST_PROXY as string[],
      bodyLimitBytes: v.BODY_LIMIT_BYTES as number,
      groupId: v.GROUP_ID as string,
    },
    database: {
      url: v.DATABASE_URL as string | undefined,
      embeddedDir: v.EMBEDDED_PG_DIR as string,
      poolSize: v.DB_POOL_SIZE as number,
      statementTimeoutMs: v.DB_STATEMENT_TIMEOUT_MS as number,
    },
    auth: {
      adminLogin: v.ADMIN_LOGIN as string,
      adminPassword: v.ADMIN_PASSWORD as string,
      jwtSecret: v.JWT_SECRET as string,
      /** AES-256-GCM key for data encrypted at rest (users' TOTP secrets). */
      dataEncryptionKey: v.DATA_ENCRYPTION_KEY as Buffer,
      bcryptCost: v.BCRYPT_COST as number,
      rateLimitPerMinute: v.AUTH_RATE_LIMIT_PER_MINUTE as number,
      lockoutMaxFailures: v.LOCKOUT_MAX_FAILURES as number,
      lockoutBaseSeconds: v.LOCKOUT_BASE_SECONDS as number,
      lockoutMaxSeconds: v.LOCKOUT_MAX_SECONDS as number,
      tokenMaxValiditySeconds: v.TOKEN_MAX_VALIDITY_SECONDS as number,
      longLivedTokenSeconds: v.LONG_LIVED_TOKEN_SECONDS as number,
      accessTokenSeconds: v.ACCESS_TOKEN_SECONDS as number,
      refreshIdleSeconds: v.REFRESH_IDLE_SECONDS as number,
      refreshAbsoluteSeconds: v.REFRESH_ABSOLUTE_SECONDS as number,
      passwordResetSeconds: v.PASSWORD_RESET_SECONDS as number,
      passwordResetMinIntervalSeconds: v.PASSWORD_RESET_MIN_INTERVAL_SECONDS as number,
      /** An ID token naming a key its provider's cached JWKS lacks refetches that JWKS at most this often. */
      federationJwksCooldownSeconds: v.FEDERATION_JWKS_COOLDOWN_SECONDS as number,
    },
    messaging: {
      smtpUrl: v.SMTP_URL as string | undefined,
      mailFrom: v.MAIL_FROM as string,
      smsGatewayUrl: v.SMS_GATEWAY_URL as string | undefined,
      invitationExpiresSeconds: v.INVITATION_EXPIRES_SECONDS as number,
      outboxPollMs: v.OUTBOX_POLL_MS as number,
      outboxMaxAttempts: v.OUTBOX_MAX_ATTEMPTS as number,
      outboxBaseDelayMs: v.OUTBOX_BASE_DELAY_MS as number,
    },
    observability: {
      /** Bearer token that /metrics asks for; unset: no /metrics route. */
      metricsToken: v.METRICS_TOKEN as string | undefined,
      /** OTLP/HTTP base URL spans are exported to; unset: no tracing SDK, nothing exported. */
      otlpEndpoint: v.OTEL_EXPORTER_OTLP_ENDPOINT as string | undefined,
      serviceName: v.OTEL_SERVICE_NAME as string,
    },
  };
}

export type Configuration = ReturnType<typeof buildConfiguration>;
export type AppSettings = Configuration['app'];
export type DatabaseSettings = Configuration['database'];
export type AuthSettings = Configuration['auth'];
export type MessagingSettings = Configuration['messaging'];
export type ObservabilitySettings = Configuration['observability'];

/** Names and defaults, for documentation checks (`.env.example` must list them all). */
export function declaredVariables(): { name: string; default?: string }[] {
  return Object.entries(VARIABLES).map(([name, spec]) => ({ name, default: (spec as VariableSpec).default }));
}
