import { VerifiedTokens } from './verified-tokens';

describe('VerifiedTokens', () => {
  const claims = (exp: number) => ({ sub: 'user-1', sv: 3, sid: 's', exp });

  it('gives back the claims of a remembered token until the second it expires', () => {
    let now = 1_000;
    const tokens = new VerifiedTokens(10, () => now);
    tokens.remember('token-a', claims(1_060));
    expect(tokens.get('token-a')).toEqual(claims(1_060));
    now = 1_059;
    expect(tokens.get('token-a')).toEqual(claims(1_060));
    now = 1_060; // jsonwebtoken: expired when now >= exp
    expect(tokens.get('token-a')).toBeUndefined();
    expect(tokens.size).toBe(0);
  });

  it('knows only the exact text it was given', () => {
    const tokens = new VerifiedTokens(10, () => 0);
    tokens.remember('token-a', claims(60));
    expect(tokens.get('token-A')).toBeUndefined();
    expect(tokens.get('token-a ')).toBeUndefined();
  });

  it('holds at most its capacity, forgetting the oldest first', () => {
    const tokens = new VerifiedTokens(2, () => 0);
    tokens.remember('a', claims(60));
    tokens.remember('b', claims(60));
    tokens.remember('c', claims(60));
    expect(tokens.size).toBe(2);
    expect(tokens.get('a')).toBeUndefined();
    expect(tokens.get('b')).toBeDefined();
    expect(tokens.get('c')).toBeDefined();
  });
});
