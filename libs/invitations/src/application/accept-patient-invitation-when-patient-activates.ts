import { Injectable } from '@nestjs/common';
import { PatientAccessRequested } from '@careid/identity';
import { OnDomainEvent } from '@careid/shared';
import { PatientInvitationsService } from './patient-invitations.service';

@Injectable()
export class AcceptPatientInvitationWhenPatientActivates {
  constructor(private readonly invitations: PatientInvitationsService) {}

  @OnDomainEvent(PatientAccessRequested)
  async acceptInvitation(event: PatientAccessRequested): Promise<void> {
    await this.invitations.markPatientInvitationAccepted(event.userId);
  }
}
