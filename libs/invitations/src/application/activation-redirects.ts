import { Injectable } from '@nestjs/common';
import type { ActivationRedirects } from '@careid/identity';
import { InvitationsRepository } from '../infrastructure/invitations.repository';

/** Where an activated patient's invitation leads (bound to ACTIVATION_REDIRECTS in the composition root). */
@Injectable()
export class PatientInvitationRedirects implements ActivationRedirects {
  constructor(private readonly invitations: InvitationsRepository) {}

  redirectUrlOf(userId: string): Promise<string | null> {
    return this.invitations.acceptedPatientRedirectOf(userId);
  }
}
