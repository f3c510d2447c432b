import { HttpClient } from './http';
import { TEST_ADMIN } from './test-app';

/** Logs in and returns a client that sends the access token (novu's UserSession, in small). */
export async function loginAs(http: HttpClient, login: string, password: string): Promise<HttpClient & { tokens: any }> {
  const response = await http.post('/api/v1/auth/login', { login, password });
  if (response.status !== 200) throw new Error(`login as ${login} failed: ${response.status} ${response.text}`);
  const client = http.as(response.body.accessToken) as HttpClient & { tokens: any };
  client.tokens = response.body;
  return client;
}

export function loginAsAdmin(http: HttpClient) {
  return loginAs(http, TEST_ADMIN.login, TEST_ADMIN.password);
}

let counter = 0;
/** A unique suffix for logins and emails within a test file. */
export function unique(prefix = 'u'): string {
  counter += 1;
  return `${prefix}${Date.now().toString(36)}${counter}${Math.random().toString(36).slice(2, 6)}`;
}

/** Creates a user through the API as admin and returns it with its password. */
export async function createUser(admin: HttpClient, fields: Record<string, unknown> = {}) {
  const login = (fields.login as string) ?? unique('user');
  const password = (fields.passwordHash as string) ?? 'correct horse battery staple';
  const response = await admin.post('/api/v1/users', { login, email: `${login}@hospital.care`, passwordHash: password, ...fields });
  if (response.status !== 201) throw new Error(`create user failed: ${response.status} ${response.text}`);
  return { user: response.body, login, password };
}
