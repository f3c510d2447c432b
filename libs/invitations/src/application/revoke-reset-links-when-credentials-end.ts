import { Injectable } from '@nestjs/common';
import { CredentialsEnded } from '@careid/identity';
import { OnDomainEvent } from '@careid/shared';
import { InvitationsService } from './invitations.service';

@Injectable()
export class RevokeResetLinksWhenCredentialsEnd {
  constructor(private readonly invitations: InvitationsService) {}

  @OnDomainEvent(CredentialsEnded)
  async revokeResetLinks(event: CredentialsEnded): Promise<void> {
    if (event.endsResetTickets) await this.invitations.revokePasswordResetTickets(event.userId);
  }
}
