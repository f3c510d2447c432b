import { buildConfiguration } from '@careid/shared';
import { redactedDatabaseUrl, startupFailureMessage } from './startup-failure';

const configuration = buildConfiguration({ DATABASE_URL: 'postgres://careid:s3cret@db.internal:5433/careid', PORT: '8080' });
const coded = (code: string, message = code) => Object.assign(new Error(message), { code });

describe('startupFailureMessage', () => {
  it('names DATABASE_URL, without its password, when the database cannot be reached', () => {
    const refused = new AggregateError([coded('ECONNREFUSED'), coded('ECONNREFUSED')], 'connect ECONNREFUSED');
    const message = startupFailureMessage(refused, configuration)!;
    expect(message).toMatch(
      /^Cannot reach the database at DATABASE_URL=postgres:\/\/careid:\*\*\*@db\.internal:5433\/careid \(ECONNREFUSED\)/,
    );
    expect(message).not.toContain('s3cret');
    expect(message).not.toContain('\n');
  });

  it('tells a refused login, a missing database and a busy port apart', () => {
    expect(startupFailureMessage({ driverError: coded('28P01') }, configuration)).toMatch(/refused the login in DATABASE_URL=/);
    expect(startupFailureMessage(coded('3D000'), configuration)).toMatch(/does not exist: create it first/);
    expect(startupFailureMessage(coded('EADDRINUSE'), configuration)).toBe(
      'PORT 8080 is already in use: stop the other process or set PORT',
    );
  });

  it('leaves other failures to the stack trace', () => {
    expect(startupFailureMessage(new TypeError('a bug'), configuration)).toBeUndefined();
  });

  it('redacts only the password', () => {
    expect(redactedDatabaseUrl('postgres://u@h:1/d')).toBe('postgres://u@h:1/d');
    expect(redactedDatabaseUrl('not a url')).toBe('(unparseable)');
  });
});
