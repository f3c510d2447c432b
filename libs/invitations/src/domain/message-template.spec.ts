import { DomainError } from '@careid/shared';
import { assertCustomMessage } from './message-template';
import { renderPatientInvitation } from '../application/templates';

const codeOf = (run: () => void) => {
  try {
    run();
    return 'ok';
  } catch (error) {
    return error instanceof DomainError ? error.code : String(error);
  }
};

const values = {
  solutionName: 'Molière <Health>',
  patientName: 'Eve\r\nToken: FAKE',
  practitionerName: 'Dr "Who"',
  login: 'eve@moliere.fr',
  token: 'T0KEN',
  loginUrl: 'https://app.example/login?a=1&b=2',
  expiresAt: '2030-01-01T00:00:00.000Z',
};

describe('custom invitation messages', () => {
  it('refuses a body without {{token}}, an unknown or malformed placeholder, a token in the subject and invisible characters', () => {
    expect(codeOf(() => assertCustomMessage({ text: 'Hello {{patientName}}' }, 'email'))).toBe('MESSAGE_TOKEN_MISSING');
    expect(codeOf(() => assertCustomMessage({ text: '{{token}}', html: '<p>hi</p>' }, undefined))).toBe('MESSAGE_TOKEN_MISSING');
    expect(codeOf(() => assertCustomMessage({ text: '{{token}}', html: '<p>hi</p>' }, 'sms'))).toBe('ok');
    expect(codeOf(() => assertCustomMessage({ text: '{{token}} {{password}}' }, 'sms'))).toBe('UNKNOWN_PLACEHOLDER');
    expect(codeOf(() => assertCustomMessage({ text: '{{ token }}' }, 'sms'))).toBe('UNKNOWN_PLACEHOLDER');
    expect(codeOf(() => assertCustomMessage({ text: '{{token}} {{login' }, 'sms'))).toBe('INVALID_MESSAGE_TEMPLATE');
    expect(codeOf(() => assertCustomMessage({ subject: 'Your {{token}}' }, 'email'))).toBe('INVALID_MESSAGE_TEMPLATE');
    expect(codeOf(() => assertCustomMessage({ text: '{{token}}\u202Etxt' }, 'email'))).toBe('INVALID_MESSAGE_TEMPLATE');
    expect(codeOf(() => assertCustomMessage({ text: '{{token}}'.padEnd(5001, 'x') }, 'email'))).toBe('INVALID_MESSAGE_TEMPLATE');
    expect(codeOf(() => assertCustomMessage({ subject: 'Hi {{patientName}}', text: 'A\nB {{token}}\r\n' }, 'email'))).toBe('ok');
  });

  it('fills the placeholders, one line each, HTML-escaped in html only, and keeps the subject one line', () => {
    const rendered = renderPatientInvitation('email', values, {
      subject: 'For {{patientName}}\nBcc: x@y.z',
      text: 'Hi {{patientName}}\nUse {{token}} at {{loginUrl}} ({{solutionName}})',
      html: '<p>{{practitionerName}} {{token}} {{#loginUrl}}<a href="{{loginUrl}}">go</a>{{/loginUrl}}</p>',
    });
    expect(rendered.subject).toBe('For Eve Token: FAKE Bcc: x@y.z');
    expect(rendered.text).toBe('Hi Eve Token: FAKE\nUse T0KEN at https://app.example/login?a=1&b=2 (Molière <Health>)');
    expect(rendered.html).toBe('<p>Dr &quot;Who&quot; T0KEN <a href="https://app.example/login?a=1&amp;b=2">go</a></p>');
  });

  it('keeps the default parts a custom message leaves out, and replaces both bodies when it gives one', () => {
    const subjectOnly = renderPatientInvitation('email', values, { subject: 'Welcome' });
    expect(subjectOnly.subject).toBe('Welcome');
    expect(subjectOnly.text).toMatch(/^Token: T0KEN$/m);
    const htmlOnly = renderPatientInvitation('email', values, { html: '<b>{{token}}</b>' });
    expect([htmlOnly.text, htmlOnly.html]).toEqual(['', '<b>T0KEN</b>']);
    expect(renderPatientInvitation('sms', values, { text: '{{solutionName}}: {{token}}', html: '<b>ignored</b>' })).toEqual({
      subject: '',
      text: 'Molière <Health>: T0KEN',
    });
  });
});
