import { DomainError } from '@careid/shared';
import { invitationRedirect } from './allowed-redirect';

const ALLOWED = ['https://id.example', 'https://app.example'];
const portal = { redirectUris: ['https://portal.example/welcome', 'com.example.app:/callback', 'https://portal.example/other'] };

function refusal(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    return error instanceof DomainError ? error.code : 'not a domain error';
  }
  return undefined;
}

describe('invitationRedirect', () => {
  it("is the given URL on an allowed origin, else the application's first redirect URI, else none", () => {
    expect(invitationRedirect('https://app.example/welcome', null, ALLOWED)).toBe('https://app.example/welcome');
    expect(invitationRedirect(undefined, portal, ALLOWED)).toBe('https://portal.example/welcome');
    expect(invitationRedirect(undefined, null, ALLOWED)).toBeNull();
  });

  it("allows the application's own http(s) origins, and nothing else", () => {
    expect(invitationRedirect('https://portal.example/first-steps', portal, ALLOWED)).toBe('https://portal.example/first-steps');
    for (const url of [
      'https://portal.example/x',
      'https://evil.example/',
      'http://app.example/',
      'https://app.example.evil.example/',
      'not a url',
    ]) {
      expect([url, refusal(() => invitationRedirect(url, null, ALLOWED))]).toEqual([url, 'REDIRECT_NOT_ALLOWED']);
    }
    expect(refusal(() => invitationRedirect('com.example.app:/callback', portal, ALLOWED))).toBe('REDIRECT_NOT_ALLOWED');
  });
});
