import { DomainEvent } from '@careid/shared';

/** An invited patient activated its account and asks every practitioner holding its data for access. */
export class PatientAccessRequested extends DomainEvent {
  static readonly eventName = 'identity.patient-access-requested';
  readonly eventName = PatientAccessRequested.eventName;
  constructor(
    readonly userId: string,
    readonly patientId: string,
    readonly publicKey: string,
  ) {
    super();
  }
}

/** A credential event ended some of a user's credentials (see CREDENTIAL_LIFECYCLE); contexts holding others end theirs. */
export class CredentialsEnded extends DomainEvent {
  static readonly eventName = 'identity.credentials-ended';
  readonly eventName = CredentialsEnded.eventName;
  constructor(
    readonly userId: string,
    readonly event: string,
    /** Unused password-reset links of the user must stop working. */
    readonly endsResetTickets: boolean,
  ) {
    super();
  }
}
