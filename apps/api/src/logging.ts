import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Params } from 'nestjs-pino';
import type { DestinationStream } from 'pino';

/**
 * Structured JSON logs, one line per request with its id. Secrets stay out:
 * headers are not logged at all, URLs lose their query string, and known
 * secret-bearing fields are redacted wherever they appear in a log object.
 */
export function loggerParams(level: string, stream?: DestinationStream): Params {
  return {
    pinoHttp: [
      {
        level,
        quietReqLogger: true,
        autoLogging: { ignore: (req: IncomingMessage) => (req.url ?? '').startsWith('/health') },
        // 503 is an outage the filter already reported once; other 5xx are bugs.
        customLogLevel: (_req: IncomingMessage, res: ServerResponse, error?: Error) =>
          res.statusCode === 503 ? 'warn' : error || res.statusCode >= 500 ? 'error' : 'info',
        serializers: {
          req: (req: IncomingMessage & { id?: string }) => ({ id: req.id, method: req.method, url: (req.url ?? '').split('?')[0] }),
          res: (res: ServerResponse) => ({ statusCode: res.statusCode }),
        },
        redact: {
          paths: [
            'password',
            'passwordHash',
            'currentPassword',
            'token',
            'refreshToken',
            'accessToken',
            'longLivedToken',
            'ticket',
            'secret',
            'totp',
            '*.password',
            '*.passwordHash',
            '*.token',
            '*.refreshToken',
            '*.accessToken',
            '*.ticket',
            '*.secret',
          ],
          censor: '[redacted]',
        },
      },
      stream as DestinationStream,
    ],
  };
}
