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
