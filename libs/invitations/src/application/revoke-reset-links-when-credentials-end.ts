import { Injectable } from '@nestjs/common';
import { CredentialsEnded } from '@careid/identity';
import { OnDomainEvent } from '@careid/shared';
import { PasswordResetService } from './password-reset.service';

@Injectable()
export class RevokeResetLinksWhenCredentialsEnd {
  constructor(private readonly passwordReset: PasswordResetService) {}

  @OnDomainEvent(CredentialsEnded)
  async revokeResetLinks(event: CredentialsEnded): Promise<void> {
    if (event.endsResetTickets) await this.passwordReset.revokePasswordResetTickets(event.userId);
  }
}
