import { applicationsPersistence } from '@careid/applications';
import { identityPersistence } from '@careid/identity';
import { oidcPersistence } from '@careid/oidc';
import { invitationsPersistence } from '@careid/invitations';
import { notificationsPersistence } from '@careid/notifications';
import { patientsPersistence } from '@careid/patients';
import { practitionersPersistence } from '@careid/practitioners';
import { dataOwnersPersistence, Persistence } from '@careid/shared';

/** Every context's entities and migrations: the one data source's contents (app and migration CLI). */
export const PERSISTENCE: Persistence[] = [
  identityPersistence,
  practitionersPersistence,
  patientsPersistence,
  invitationsPersistence,
  notificationsPersistence,
  dataOwnersPersistence,
  applicationsPersistence,
  oidcPersistence,
];
