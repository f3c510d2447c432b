import { Provider } from '@nestjs/common';
import { ApplicationsService } from '@careid/applications';
import {
  ACTIVATION_REDIRECTS,
  DATA_OWNER_DIRECTORY,
  DataOwnerDirectory,
  OPAQUE_ACCESS_TOKENS,
  PASSWORD_RESET_MAILER,
} from '@careid/identity';
import {
  APPLICATION_DIRECTORY,
  ApplicationDirectory,
  Contact,
  PasswordResetMails,
  PatientInvitationRedirects,
  PROFILE_DIRECTORY,
  ProfileDirectory,
} from '@careid/invitations';
import { DELEGATE_DIRECTORY, DelegateDirectory } from '@careid/notifications';
import { OpenIdProvider } from '@careid/oidc';
import { PatientsService } from '@careid/patients';
import { PractitionersService } from '@careid/practitioners';

/**
 * The ports one context declares and another fulfils, bound here in the
 * composition root so that no context depends on another's internals (or on
 * a context that depends back on it).
 */
function displayName(person: { firstName: string | null; lastName: string | null; names: { text?: string }[] }): string {
  return [person.firstName, person.lastName].filter(Boolean).join(' ') || person.names[0]?.text || '';
}

export const CONTEXT_BRIDGES: Provider[] = [
  {
    // Identity validates users' healthcarePartyId / patientId and the data owners their autoDelegations name.
    provide: DATA_OWNER_DIRECTORY,
    inject: [PractitionersService, PatientsService],
    useFactory: (practitioners: PractitionersService, patients: PatientsService): DataOwnerDirectory => ({
      practitionerExists: (id) => practitioners.practitionerExists(id),
      patientExists: (id) => patients.patientExists(id),
      async unknownDataOwners(ids) {
        const wanted = [...new Set(ids.map((id) => id.toLowerCase()))];
        const known = new Set([...(await practitioners.existingIds(wanted)), ...(await patients.existingIds(wanted))]);
        return wanted.filter((id) => !known.has(id));
      },
    }),
  },
  {
    // Invitations create and read the profiles of the people they invite.
    provide: PROFILE_DIRECTORY,
    inject: [PractitionersService, PatientsService],
    useFactory: (practitioners: PractitionersService, patients: PatientsService): ProfileDirectory => ({
      async createProfile(type, person, actor) {
        const input = {
          firstName: person.firstName ?? null,
          lastName: person.lastName ?? null,
          addresses: [{ addressType: 'home', telecoms: [{ system: 'email', value: person.email }] }],
        };
        const created = type === 'Practitioner' ? await practitioners.create(input as never) : await patients.create(input as never, actor);
        return created.id;
      },
      profileExists: (type, id) => (type === 'Practitioner' ? practitioners.practitionerExists(id) : patients.patientExists(id)),
      async patientContact(patientId, actor): Promise<Contact> {
        const contact = await patients.getContact(patientId, actor);
        return { name: displayName(contact), emails: contact.emails, mobiles: contact.mobiles };
      },
      async patientContacts(patientIds, actor): Promise<Map<string, Contact>> {
        const contacts = await patients.getContacts(patientIds, actor);
        return new Map(
          contacts.map((contact) => [contact.id, { name: displayName(contact), emails: contact.emails, mobiles: contact.mobiles }]),
        );
      },
      async practitionerContact(practitionerId): Promise<Contact | null> {
        const contact = await practitioners.getContact(practitionerId);
        return contact && { name: displayName(contact), emails: contact.emails, mobiles: contact.mobiles };
      },
    }),
  },
  {
    // Notifications go to every practitioner holding a delegation on the patient.
    provide: DELEGATE_DIRECTORY,
    inject: [PractitionersService, PatientsService],
    useFactory: (practitioners: PractitionersService, patients: PatientsService): DelegateDirectory => ({
      async practitionersHoldingPatient(patientId) {
        const owners = await patients.dataOwnersWithDelegation(patientId);
        const flags = await Promise.all(owners.map((id) => practitioners.practitionerExists(id)));
        return owners.filter((_, i) => flags[i]);
      },
    }),
  },
  {
    // Invitations name the application they lead to (applicationId): its first redirect URI is the default redirectUrl.
    provide: APPLICATION_DIRECTORY,
    inject: [ApplicationsService],
    useFactory: (applications: ApplicationsService): ApplicationDirectory => ({
      async findApplication(id) {
        const application = await applications.findApplication(id);
        return application && { id: application.id, name: application.name, redirectUris: application.redirectUris };
      },
    }),
  },
  // Identity's reset links leave as mails through the invitations' outbox, in the reset's transaction.
  { provide: PASSWORD_RESET_MAILER, useExisting: PasswordResetMails },
  // The REST API's guard accepts the OpenID provider's opaque access tokens (same session checks as its own JWTs).
  { provide: OPAQUE_ACCESS_TOKENS, useExisting: OpenIdProvider },
  // An activated patient's answer names where its invitation leads.
  { provide: ACTIVATION_REDIRECTS, useExisting: PatientInvitationRedirects },
];
