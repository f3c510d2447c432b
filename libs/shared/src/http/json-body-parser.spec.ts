import { DomainError } from '../errors/domain-error';
import { jsonDepthExceeds, parseJsonBody } from './json-body-parser';

describe('parseJsonBody', () => {
  it('parses ordinary JSON and treats an empty body as none', () => {
    expect(parseJsonBody('{"a":[1,{"b":"[[["}]}')).toEqual({ a: [1, { b: '[[[' }] });
    expect(parseJsonBody('')).toBeUndefined();
  });

  it('refuses nesting deeper than the limit, without recursing', () => {
    expect(jsonDepthExceeds('['.repeat(65) + ']'.repeat(65), 64)).toBe(true);
    expect(jsonDepthExceeds('['.repeat(64) + ']'.repeat(64), 64)).toBe(false);
    expect(jsonDepthExceeds(`"${'['.repeat(100)}"`, 64)).toBe(false);
    expect(() => parseJsonBody('['.repeat(100_000))).toThrow(expect.objectContaining({ code: 'JSON_TOO_DEEP' }));
  });

  it('answers malformed JSON and prototype poisoning with MALFORMED_JSON', () => {
    for (const text of ['{', '{"a":', 'nul', '{"__proto__": {"admin": true}}', '{"a": {"constructor": {"prototype": {}}}}']) {
      expect(() => parseJsonBody(text)).toThrow(DomainError);
    }
  });
});
