import { traceIdOf } from './logging';

describe('traceIdOf: the trace a request’s log lines name, without the tracing SDK', () => {
  const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';

  it('reads the trace id of a valid W3C traceparent', () => {
    expect(traceIdOf(`00-${traceId}-00f067aa0ba902b7-01`)).toBe(traceId);
    expect(traceIdOf(`00-${traceId}-00f067aa0ba902b7-00`)).toBe(traceId);
  });

  it('ignores a missing, repeated or invalid header (all-zero ids, version ff, upper case, wrong lengths)', () => {
    for (const header of [
      undefined,
      [`00-${traceId}-00f067aa0ba902b7-01`, `00-${traceId}-00f067aa0ba902b7-01`],
      `00-${'0'.repeat(32)}-00f067aa0ba902b7-01`,
      `00-${traceId}-${'0'.repeat(16)}-01`,
      `ff-${traceId}-00f067aa0ba902b7-01`,
      `00-${traceId.toUpperCase()}-00f067aa0ba902b7-01`,
      `00-${traceId}0-00f067aa0ba902b7-01`,
      `00-${traceId}-00f067aa0ba902b7`,
      'not a traceparent',
    ]) {
      expect(traceIdOf(header)).toBeUndefined();
    }
  });
});
