import { AnonymousCareidApi, CareidApi, CareidApiError, User } from '@careid/sdk';
import { TestIdentityProvider } from '../support/identity-provider';
import { unique } from '../support/session';
import { startTestApp, TEST_ADMIN, TestApp } from '../support/test-app';

/** The SDK's calls for external identity providers: an admin configures one, a frontend signs its user in with it. */
describe('SDK: signing in through an external identity provider', () => {
  const idp = new TestIdentityProvider();
  let t: TestApp;

  beforeAll(async () => {
    await idp.start();
    t = await startTestApp();
  });
  afterAll(async () => {
    await t.close();
    await idp.stop();
  });

  it('configures a provider, exchanges its ID token for a logged-in api, lists and unlinks the identity', async () => {
    const adminApi = new CareidApi({ baseUrl: t.baseUrl, ...TEST_ADMIN });
    const alias = unique('okta');
    const created = await adminApi.identityProviderApi.createOrModify({
      alias,
      issuer: idp.issuer,
      clientId: idp.clientId,
      clientSecret: 's3cret',
    });
    expect(created).toMatchObject({ alias, hasClientSecret: true, allowSignup: false });
    const modified = await adminApi.identityProviderApi.createOrModify({ ...created, defaultRoles: ['NURSE'] });
    expect(modified.rev).toMatch(/^2-/);
    expect(await adminApi.identityProviderApi.get(alias)).toEqual(modified);
    expect((await adminApi.identityProviderApi.list({ limit: 1000 })).rows.map((p) => p.alias)).toContain(alias);

    const login = unique('jane');
    const user = await adminApi.userApi.createOrModify(
      new User({ login, email: `${login}@hospital.care`, passwordHash: 'correct horse battery staple' }),
    );
    const idToken = await idp.idToken({ sub: 'jane-at-okta', email: user.email, email_verified: true });
    const janeApi = await new AnonymousCareidApi({ baseUrl: t.baseUrl }).authenticationApi.exchangeIdToken(alias, idToken);
    expect((await janeApi.userApi.getLogged()).id).toBe(user.id);
    expect(await janeApi.identityProviderApi.identitiesOf(user.id)).toEqual([
      { provider: alias, subject: 'jane-at-okta', email: user.email, created: expect.any(Number) },
    ]);
    await janeApi.identityProviderApi.unlinkIdentity(user.id, alias);
    expect(await adminApi.identityProviderApi.identitiesOf(user.id)).toEqual([]);

    await adminApi.identityProviderApi.delete(alias);
    const refused = await new AnonymousCareidApi({ baseUrl: t.baseUrl }).authenticationApi.exchangeIdToken(alias, idToken).catch((e) => e);
    expect(refused).toBeInstanceOf(CareidApiError);
    expect([refused.status, refused.code]).toEqual([400, 'UNKNOWN_IDENTITY_PROVIDER']);
  });
});
