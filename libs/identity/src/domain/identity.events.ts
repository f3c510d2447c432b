import { DomainEvent } from '@careid/shared';

export class UserCreated extends DomainEvent {
  static readonly eventName = 'identity.user-created';
  readonly eventName = UserCreated.eventName;
  constructor(
    readonly userId: string,
    readonly login: string,
    readonly patientId: string | null,
    readonly healthcarePartyId: string | null,
  ) {
    super();
  }
}

export class UserModified extends DomainEvent {
  static readonly eventName = 'identity.user-modified';
  readonly eventName = UserModified.eventName;
  constructor(
    readonly userId: string,
    readonly changedFields: string[],
  ) {
    super();
  }
}

export class UserDeleted extends DomainEvent {
  static readonly eventName = 'identity.user-deleted';
  readonly eventName = UserDeleted.eventName;
  constructor(readonly userId: string) {
    super();
  }
}

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
