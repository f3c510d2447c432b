import type { components, paths } from './generated/schema.js';

// Fields and routes that the REST contract (API.md, "Invitation lifecycle") gives the API and that the served
// OpenAPI document does not describe yet. Written by hand in the generated document's shape; once
// `npm run sdk:generate` picks them up, the generated types take precedence and these can go.

type Schemas = components['schemas'];

/** `{subject?, text?, html?}` with the placeholders {{login}}, {{token}} (required), {{loginUrl}}, {{patientName}}, {{practitionerName}}, {{solutionName}}. */
export interface MessageTemplate {
  subject?: string;
  text?: string;
  html?: string;
}

/** Where the invited person goes once in: a URL on an allowed origin, or a registered application (its first redirect URI). */
export interface InvitationRedirect {
  redirectUrl?: string;
  applicationId?: string;
}

/** POST /patients/:id/invite: the generated body plus the contract's `message` templates and redirect. */
export type InvitePatientOptions = Schemas['InvitePatientDto'] & InvitationRedirect & { message?: MessageTemplate };

/** POST /patients/invite: the single invite's options for up to 10,000 patients. */
export type BulkInvitePatients = Omit<InvitePatientOptions, 'practitionerId'> & { patientIds: string[] };

/** A bulk invitation as it starts (202). */
export type InvitationJobStarted = Schemas['InvitationJobStartedDto'];

/** A bulk invitation: `skipped` names each patient not invited and why (the single invite's error code). */
export type InvitationJob = Schemas['InvitationJobDto'];

/** POST /invitations: the generated body plus `applicationId` (a registered application) and `redirectUrl`. */
export type CreateInvitation = Schemas['CreateInvitationDto'] & InvitationRedirect;

/** POST /invitations/accept answers a session, with the invitation's `redirectUrl` when it has one. */
export type AcceptedInvitationTokens = Schemas['TokenPairDto'] & { redirectUrl?: string };

/** The generated paths: every route of the contract is in the served document now. */
export type ApiPaths = paths;
