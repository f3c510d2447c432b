import {
  ICureRegistrationEmail,
  ICureRegistrationSMS,
  invitationFromFactory,
  invitationOptions,
  type EmailMessage,
  type EmailMessageFactory,
  type MessageRecipient,
  type SMSMessage,
  type SMSMessageFactory,
} from './messages';
import type { Patient, Practitioner } from './models';

const hcp: Practitioner = {
  id: 'hcp-1',
  lastName: 'Purgon',
  addresses: [{ telecoms: [{ system: 'email', value: 'purgon@hospital.care' }] }],
};
const patient: Patient = { id: 'patient-1', firstName: 'Argan' };

/** The `Label: value` line of a text, or undefined. */
const line = (text: string | undefined, label: string) => new RegExp(`^${label}: (.*)$`, 'm').exec(text ?? '')?.[1];

describe('ICureRegistrationEmail', () => {
  const factory = new ICureRegistrationEmail(hcp, 'https://app.example/login', 'Molière Health', patient);

  it("keeps iCure's constructor parameters as its fields", () => {
    expect(factory).toMatchObject({ hcp, link: 'https://app.example/login', solutionName: 'Molière Health', patient });
  });

  it('stands for an email invite whose templates have the Login: and Token: lines and the contract placeholders', () => {
    const options = invitationFromFactory(factory, 3600);

    expect(options).toEqual({
      channel: 'email',
      tokenValiditySeconds: 3600,
      loginUrl: 'https://app.example/login',
      solutionName: 'Molière Health',
      message: { subject: expect.any(String), text: expect.any(String), html: expect.any(String) },
    });
    const { subject, text, html } = options.message!;
    expect(subject).toBe('You have been invited to use {{solutionName}}');
    expect(line(text, 'Login')).toBe('{{login}}');
    expect(line(text, 'Token')).toBe('{{token}}');
    for (const placeholder of ['{{patientName}}', '{{practitionerName}}', '{{solutionName}}', '{{loginUrl}}']) {
      expect(text).toContain(placeholder);
      expect(html).toContain(placeholder);
    }
    expect(html).toContain('<code>{{token}}</code>');
    expect(html).toContain('<a href="{{loginUrl}}">');
    // The names reach the message only through placeholders, which the server fills and escapes.
    expect(JSON.stringify(options.message)).not.toMatch(/Argan|Purgon|Molière/);
  });

  it("renders iCure's way too when called with a user and a password, escaping them in the HTML part", () => {
    const message = factory.get({ login: 'argan@moliere.fr' }, 'a<b&c');
    expect(line(message.text, 'Login')).toBe('argan@moliere.fr');
    expect(line(message.text, 'Token')).toBe('a<b&c');
    expect(message.html).toContain('<code>a&#60;b&#38;c</code>');
  });

  it('leaves the link out when there is none', () => {
    const options = invitationFromFactory(new ICureRegistrationEmail(hcp, '', 'Molière Health', patient));
    expect(options).not.toHaveProperty('loginUrl');
    expect(options).not.toHaveProperty('tokenValiditySeconds');
    expect(JSON.stringify(options.message)).not.toContain('{{loginUrl}}');
  });
});

describe('ICureRegistrationSMS', () => {
  it('stands for an SMS invite: one short text with the Login: and Token: lines and the link', () => {
    const options = invitationFromFactory(new ICureRegistrationSMS(hcp, 'https://app.example/login', 'Molière Health', patient), 600);

    expect(options).toEqual({
      channel: 'sms',
      tokenValiditySeconds: 600,
      loginUrl: 'https://app.example/login',
      solutionName: 'Molière Health',
      message: { text: '{{solutionName}}: {{practitionerName}} invited you.\nLogin: {{login}}\nToken: {{token}}\n{{loginUrl}}' },
    });
  });
});

describe('any class implementing the factory interfaces', () => {
  /** Written for iCure: it renders with what `get` receives and has only iCure's fields. */
  class ClinicEmail implements EmailMessageFactory {
    constructor(
      readonly link: string,
      readonly patient: { firstName: string },
    ) {}

    get(recipient: MessageRecipient, recipientPassword: string): EmailMessage {
      return {
        from: 'clinic@hospital.care',
        subject: 'Welcome',
        html: `Dear ${this.patient.firstName}, log in at ${this.link} as ${recipient.login} with ${recipientPassword}`,
      };
    }
  }

  it("becomes an email invite: the recipient's login and password become {{login}} and {{token}}; `from` is not sent", () => {
    expect(invitationFromFactory(new ClinicEmail('https://app.example/login', { firstName: 'Argan' }), 900)).toEqual({
      channel: 'email',
      tokenValiditySeconds: 900,
      loginUrl: 'https://app.example/login',
      message: { subject: 'Welcome', html: 'Dear Argan, log in at https://app.example/login as {{login}} with {{token}}' },
    });
  });

  it('an SMS factory is told from an email one by what it returns', () => {
    const sms: SMSMessageFactory = { get: (recipient, password): SMSMessage => ({ message: `${recipient.login} / ${password}` }) };
    expect(invitationFromFactory(sms)).toEqual({ channel: 'sms', message: { text: '{{login}} / {{token}}' } });
  });

  it('refuses, before any request, a factory whose message does not show the password', () => {
    const forgetful: SMSMessageFactory = { get: (recipient) => ({ message: `Hello ${recipient.login}` }) };
    expect(() => invitationFromFactory(forgetful)).toThrow(/\{\{token\}\}/);
  });
});

describe('invitationOptions', () => {
  it('keeps an options object as given, with the lifetime when one is passed', () => {
    const options = { channel: 'sms' as const, loginUrl: 'https://app.example/login' };
    expect(invitationOptions(options)).toBe(options);
    expect(invitationOptions(options, 120)).toEqual({ ...options, tokenValiditySeconds: 120 });
    expect(invitationOptions()).toEqual({});
  });
});
