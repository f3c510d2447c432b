import { CareidApiError } from './errors';
import { HttpClient } from './http';
import { fakeFetch, json } from '../testing/fake-fetch';
import { hex2ua, ua2hex } from './crypto';
import { ticketFromInvitationUrl } from './apis/invitation-api';
import { PatientFilter, UserFilter } from './filters';
import { Location, NotificationTypeEnum, User } from './models';

describe('HttpClient', () => {
  it('fills and encodes path parameters, serializes arrays as repeated keys and leaves undefined out', async () => {
    const { requests, fetch } = fakeFetch(() => json(200, { rows: [], nextCursor: null }));
    const http = new HttpClient('https://id.example/', fetch);
    await http.get('/api/v1/users', { query: { ids: ['a', 'b'], patientId: undefined, limit: 5 } });
    await http.get('/api/v1/users/by-email/{email}', { path: { email: 'a b/c@x.org' } });
    expect(requests.map((request) => request.url)).toEqual([
      'https://id.example/api/v1/users?ids=a&ids=b&limit=5',
      'https://id.example/api/v1/users/by-email/a%20b%2Fc%40x.org',
    ]);
    expect(requests[0].init).toMatchObject({ method: 'GET', body: undefined });
  });

  it('sends JSON bodies and returns undefined for 204', async () => {
    const { requests, fetch } = fakeFetch(() => new Response(null, { status: 204 }));
    const http = new HttpClient('https://id.example', fetch);
    await expect(http.post('/api/v1/auth/logout', { body: { refreshToken: 'r' } })).resolves.toBeUndefined();
    expect(requests[0].init).toMatchObject({ method: 'POST', body: '{"refreshToken":"r"}' });
    expect((requests[0].init.headers as Record<string, string>)['content-type']).toBe('application/json');
  });

  it('refuses to call a path with a missing parameter', async () => {
    const { requests, fetch } = fakeFetch(() => json(200, {}));
    const http = new HttpClient('https://id.example', fetch);
    await expect(http.get('/api/v1/users/{id}', { path: { id: '' } })).rejects.toThrow('Missing path parameter "id"');
    expect(requests).toEqual([]);
  });
});

describe('CareidApiError', () => {
  it('carries the problem document', async () => {
    const problem = {
      type: 'https://careid.dev/problems/duplicate-login',
      title: 'Bad Request',
      status: 400,
      detail: 'A user with this login already exists',
      code: 'DUPLICATE_LOGIN',
      requestId: 'req-12345678',
    };
    const error = await CareidApiError.fromResponse(json(400, problem));
    expect(error).toMatchObject({ ...problem, errors: [], name: 'CareidApiError' });
    expect(error).toBeInstanceOf(Error);
  });

  it('still gives a status, a code and the request id when the body is not a problem (a proxy error page)', async () => {
    const response = new Response('<html>Bad gateway</html>', {
      status: 502,
      headers: { 'x-request-id': 'proxy-123456', 'retry-after': '7' },
    });
    expect(await CareidApiError.fromResponse(response)).toMatchObject({
      status: 502,
      code: 'HTTP_502',
      detail: '<html>Bad gateway</html>',
      requestId: 'proxy-123456',
      retryAfterSeconds: 7,
    });
  });
});

describe('models, filters and helpers', () => {
  it('model classes copy the given fields and keep their names', () => {
    const user = new User({ login: 'john', passwordHash: 'secret' });
    expect(user).toEqual({ login: 'john', passwordHash: 'secret' });
    expect(user).toBeInstanceOf(User);
    expect(User.name).toBe('User');
    expect(new Location({ addressType: 'home' }).constructor.name).toBe('Location');
    expect(NotificationTypeEnum.NEW_USER_OWN_DATA_ACCESS).toBe('NEW_USER_OWN_DATA_ACCESS');
  });

  it('filters build the query criteria', async () => {
    expect(await new UserFilter().byIds(['a']).byPatientId('p').withStatus('ACTIVE').build()).toEqual({
      ids: ['a'],
      patientId: 'p',
      status: 'ACTIVE',
    });
    expect(await new PatientFilter().byName('poq').byDateOfBirth(19730210).build()).toEqual({ name: 'poq', dateOfBirth: 19730210 });
  });

  it('hex round-trips bytes and refuses what is not hex', () => {
    expect(ua2hex(new Uint8Array([0, 15, 255]))).toBe('000fff');
    expect(Array.from(hex2ua('000fFF'))).toEqual([0, 15, 255]);
    expect(() => hex2ua('abc')).toThrow('Not a hex string');
    expect(() => hex2ua('zz')).toThrow('Not a hex string');
  });

  it('reads the ticket from an invitation URL fragment', () => {
    expect(ticketFromInvitationUrl('http://careid.test/invitations/accept#ticket=abc_DEF-123')).toBe('abc_DEF-123');
    expect(() => ticketFromInvitationUrl('http://careid.test/invitations/accept')).toThrow('no ticket');
  });
});
