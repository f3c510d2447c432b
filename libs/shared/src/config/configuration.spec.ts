import { buildConfiguration, ConfigurationError, declaredVariables } from './configuration';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

describe('buildConfiguration', () => {
  it('gives safe development defaults, including the production bcrypt cost of 12', () => {
    const configuration = buildConfiguration({});
    expect(configuration.app.port).toBe(3000);
    expect(configuration.auth.bcryptCost).toBe(12);
    expect(configuration.auth.lockoutMaxFailures).toBe(5);
    expect(configuration.database.url).toBeUndefined();
    expect(configuration.database.embeddedDir).toBe('.data/postgres');
  });

  it('names every missing variable in production', () => {
    expect(() => buildConfiguration({ NODE_ENV: 'production' })).toThrow(ConfigurationError);
    try {
      buildConfiguration({ NODE_ENV: 'production' });
    } catch (error) {
      const message = (error as Error).message;
      for (const name of ['DATABASE_URL', 'ADMIN_LOGIN', 'ADMIN_PASSWORD', 'JWT_SECRET', 'DATA_ENCRYPTION_KEY', 'PUBLIC_URL'])
        expect(message).toContain(name);
    }
  });

  it('refuses the example admin password and short ones in production', () => {
    const base = {
      NODE_ENV: 'production',
      DATABASE_URL: 'postgres://db/careid',
      ADMIN_LOGIN: 'root',
      JWT_SECRET: 'x'.repeat(40),
      DATA_ENCRYPTION_KEY: 'ab'.repeat(32),
      PUBLIC_URL: 'https://id.example',
    };
    expect(() => buildConfiguration({ ...base, ADMIN_PASSWORD: 'change-me-admin-password' })).toThrow(
      /ADMIN_PASSWORD must not be the .env.example default/,
    );
    expect(() => buildConfiguration({ ...base, ADMIN_PASSWORD: 'short' })).toThrow(/ADMIN_PASSWORD must be at least 12 characters/);
    expect(buildConfiguration({ ...base, ADMIN_PASSWORD: 'a-long-enough-password' }).auth.adminLogin).toBe('root');
  });

  it('takes DATA_ENCRYPTION_KEY as 32 bytes in hex or base64, and refuses the development key in production', () => {
    const key = Buffer.alloc(32, 7);
    expect(buildConfiguration({ DATA_ENCRYPTION_KEY: key.toString('hex') }).auth.dataEncryptionKey).toEqual(key);
    expect(buildConfiguration({ DATA_ENCRYPTION_KEY: key.toString('base64') }).auth.dataEncryptionKey).toEqual(key);
    expect(buildConfiguration({}).auth.dataEncryptionKey).toHaveLength(32);
    for (const bad of ['short', 'ab'.repeat(31), Buffer.alloc(31).toString('base64'), 'zz'.repeat(32)])
      expect(() => buildConfiguration({ DATA_ENCRYPTION_KEY: bad })).toThrow(/DATA_ENCRYPTION_KEY must be 32 bytes/);
    const production = {
      NODE_ENV: 'production',
      DATABASE_URL: 'postgres://db/careid',
      ADMIN_LOGIN: 'root',
      ADMIN_PASSWORD: 'a-long-enough-password',
      JWT_SECRET: 'x'.repeat(40),
      PUBLIC_URL: 'https://id.example',
    };
    expect(() =>
      buildConfiguration({ ...production, DATA_ENCRYPTION_KEY: buildConfiguration({}).auth.dataEncryptionKey.toString('hex') }),
    ).toThrow(/DATA_ENCRYPTION_KEY must not be the development default/);
  });

  it('rejects malformed values with the variable name', () => {
    expect(() => buildConfiguration({ PORT: '80a' })).toThrow(/PORT must be an integer/);
    expect(() => buildConfiguration({ BCRYPT_COST: '9' })).toThrow(/BCRYPT_COST must be between 10 and 15/);
    expect(() => buildConfiguration({ SMTP_URL: 'not a url' })).toThrow(/SMTP_URL must be a URL/);
    expect(() => buildConfiguration({ NODE_ENV: 'staging' })).toThrow(/NODE_ENV must be one of/);
  });

  it('trusts no proxy by default, and takes addresses, CIDRs and named ranges for TRUST_PROXY', () => {
    expect(buildConfiguration({}).app.trustedProxies).toEqual([]);
    expect(buildConfiguration({ TRUST_PROXY: 'loopback, 10.0.0.0/8,::1' }).app.trustedProxies).toEqual(['loopback', '10.0.0.0/8', '::1']);
    for (const bad of ['true', '10.0.0.0/33', 'proxy.example.org', '1.2.3.4/8/9']) {
      expect(() => buildConfiguration({ TRUST_PROXY: bad })).toThrow(/TRUST_PROXY/);
    }
  });

  it("allows redirects to PUBLIC_URL's origin by default, or to the origins ALLOWED_REDIRECT_ORIGINS lists", () => {
    expect(buildConfiguration({ PUBLIC_URL: 'https://id.example:8443/base' }).app.allowedRedirectOrigins).toEqual([
      'https://id.example:8443',
    ]);
    expect(
      buildConfiguration({ ALLOWED_REDIRECT_ORIGINS: 'https://App.Example/, http://localhost:5173' }).app.allowedRedirectOrigins,
    ).toEqual(['https://app.example', 'http://localhost:5173']);
    for (const bad of [
      'app.example',
      'https://app.example/login',
      'javascript:alert(1)',
      'https://app.example?x=1',
      'https://u:p@app.example',
    ]) {
      expect(() => buildConfiguration({ ALLOWED_REDIRECT_ORIGINS: bad })).toThrow(/ALLOWED_REDIRECT_ORIGINS entries must be/);
    }
  });

  it('takes CORS_ORIGINS only as the exact origins a browser sends', () => {
    expect(buildConfiguration({ CORS_ORIGINS: 'https://app.example, http://localhost:5173' }).app.corsOrigins).toEqual([
      'https://app.example',
      'http://localhost:5173',
    ]);
    for (const bad of [
      '*',
      'https://app.example/',
      'https://App.example',
      'app.example',
      'https://app.example/portal',
      'https://*.example',
    ]) {
      expect(() => buildConfiguration({ CORS_ORIGINS: bad })).toThrow(/CORS_ORIGINS entries must be exact origins/);
    }
  });

  it('takes one MAIL_FROM address on one line', () => {
    expect(buildConfiguration({ MAIL_FROM: 'Clinic <no-reply@clinic.example>' }).messaging.mailFrom).toBe(
      'Clinic <no-reply@clinic.example>',
    );
    expect(buildConfiguration({ MAIL_FROM: 'no-reply@clinic.example' }).messaging.mailFrom).toBe('no-reply@clinic.example');
    for (const bad of ['Clinic\r\nBcc: x@evil.example <a@b.example>', 'a@b.example, c@d.example', 'no address']) {
      expect(() => buildConfiguration({ MAIL_FROM: bad })).toThrow(/MAIL_FROM must be one address/);
    }
  });

  it('lets tests, and only tests, lower the bcrypt cost', () => {
    expect(buildConfiguration({ NODE_ENV: 'test', BCRYPT_COST: '4' }).auth.bcryptCost).toBe(4);
    expect(() => buildConfiguration({ NODE_ENV: 'development', BCRYPT_COST: '4' })).toThrow(/BCRYPT_COST/);
  });

  it('takes a METRICS_TOKEN long enough not to be guessed, and an OTLP endpoint URL; both unset by default', () => {
    expect(buildConfiguration({}).observability).toEqual({ metricsToken: undefined, otlpEndpoint: undefined, serviceName: 'careid' });
    expect(buildConfiguration({ METRICS_TOKEN: 'a-scraper-token-0123' }).observability.metricsToken).toBe('a-scraper-token-0123');
    expect(() => buildConfiguration({ METRICS_TOKEN: 'short' })).toThrow(/METRICS_TOKEN must be at least 16 characters/);
    expect(buildConfiguration({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/' }).observability.otlpEndpoint).toBe(
      'http://collector:4318',
    );
    expect(() => buildConfiguration({ OTEL_EXPORTER_OTLP_ENDPOINT: 'collector' })).toThrow(/OTEL_EXPORTER_OTLP_ENDPOINT must be a URL/);
  });

  it('is documented: .env.example lists every variable', () => {
    const example = readFileSync(join(__dirname, '../../../../.env.example'), 'utf8');
    for (const { name } of declaredVariables()) expect(example).toMatch(new RegExp(`^#? ?${name}=`, 'm'));
  });
});
