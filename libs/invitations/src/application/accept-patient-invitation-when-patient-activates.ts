import { Injectable } from '@nestjs/common';
import { PatientAccessRequested } from '@careid/identity';
import { OnDomainEvent } from '@careid/shared';
import { InvitationsService } from './invitations.service';

@Injectable()
export class AcceptPatientInvitationWhenPatientActivates {
  constructor(private readonly invitations: InvitationsService) {}

  @OnDomainEvent(PatientAccessRequested)
  async acceptInvitation(event: PatientAccessRequested): Promise<void> {
    await this.invitations.markPatientInvitationAccepted(event.userId);
  }
}
