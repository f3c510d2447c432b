import { Inject, Injectable, Optional } from '@nestjs/common';
import { PatientAccessRequested } from '@careid/identity';
import { OnDomainEvent } from '@careid/shared';
import { DELEGATE_DIRECTORY, DelegateDirectory } from '../domain/delegate-directory';
import { NotificationsService } from './notifications.service';

/**
 * An activated patient asks for access to its data: every practitioner holding
 * a delegation on the patient (not only the inviter) gets one
 * NEW_USER_OWN_DATA_ACCESS notification carrying the patient's public key.
 * Runs in the activation's transaction.
 */
@Injectable()
export class NotifyPractitionersWhenPatientRequestsAccess {
  constructor(
    private readonly notifications: NotificationsService,
    @Optional() @Inject(DELEGATE_DIRECTORY) private readonly delegates?: DelegateDirectory,
  ) {}

  @OnDomainEvent(PatientAccessRequested)
  async notifyPractitioners(event: PatientAccessRequested): Promise<void> {
    if (!this.delegates) throw new Error('No DelegateDirectory is provided: the composition root must bind DELEGATE_DIRECTORY');
    const practitioners = await this.delegates.practitionersHoldingPatient(event.patientId);
    for (const practitionerId of practitioners) {
      await this.notifications.createUnlessOpen({
        type: 'NEW_USER_OWN_DATA_ACCESS',
        responsible: event.patientId,
        author: event.userId,
        recipient: practitionerId,
        recipientKind: 'practitioner',
        properties: { publicKey: event.publicKey, patientUserId: event.userId },
      });
    }
  }
}
