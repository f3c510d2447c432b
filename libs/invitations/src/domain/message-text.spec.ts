import { escapeHtml, hasLineBreakOrControl, isMailboxAddress, oneLine } from './message-text';

describe('message text', () => {
  it('makes any value one line: every line break is a space, bidi and zero-width controls go', () => {
    for (const lineBreak of ['\r', '\n', '\r\n', '\v', '\f', '\u0085', '\u2028', '\u2029']) {
      expect(oneLine(`Eve${lineBreak}Token: FAKE`)).toBe('Eve Token: FAKE');
    }
    expect(oneLine('\u202Eexe.txt\u202C\u2066 Dr\u200B Who\u0000 ')).toBe('exe.txt Dr Who');
    expect(oneLine('Molière Health 👩‍⚕️')).toBe('Molière Health 👩‍⚕️');
  });

  it('escapes HTML and spots what a header may not hold', () => {
    expect(escapeHtml(`</code><p class="x">'&'</p>`)).toBe('&lt;/code&gt;&lt;p class=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/p&gt;');
    expect(hasLineBreakOrControl('Your Careid account is ready')).toBe(false);
    expect(['a\r\nBcc: x@y.z', 'a\u2028b', 'a\u202Eb'].map(hasLineBreakOrControl)).toEqual([true, true, true]);
  });

  it('takes a single plain address only', () => {
    expect(['doc@hospital.care', 'o.brien+inv@clinic.example', 'josé@exämple.fr'].every(isMailboxAddress)).toBe(true);
    for (const smuggled of [
      'x,evil@attacker.example',
      '"doc@x.org"\r\n<evil@attacker.example>',
      'doc@x.org <evil@a.example>',
      'a..b@c.de',
      'a@b',
    ]) {
      expect(isMailboxAddress(smuggled)).toBe(false);
    }
  });
});
