import { Module } from '@nestjs/common';
import { IdentityModule } from '@careid/identity';
import { InvitationsController } from './api/invitations.controller';
import { PasswordResetController } from './api/password-reset.controller';
import { PatientInvitationController } from './api/patient-invitation.controller';
import { WebController } from './api/web.controller';
import { AcceptPatientInvitationWhenPatientActivates } from './application/accept-patient-invitation-when-patient-activates';
import { RevokeResetLinksWhenCredentialsEnd } from './application/revoke-reset-links-when-credentials-end';
import { InvitationAcceptance } from './application/invitation-acceptance.service';
import { Outbox } from './application/outbox';
import { PasswordResetService } from './application/password-reset.service';
import { PatientInvitationsService } from './application/patient-invitations.service';
import { ProfileInvitationsService } from './application/profile-invitations.service';
import { Tickets } from './application/tickets';
import { EmailTransport, SmsTransport } from './application/transports';
import { InvitationsRepository } from './infrastructure/invitations.repository';
import { OutboxRepository } from './infrastructure/outbox.repository';
import { TicketsRepository } from './infrastructure/tickets.repository';

@Module({
  imports: [IdentityModule],
  controllers: [InvitationsController, PatientInvitationController, PasswordResetController, WebController],
  providers: [
    PatientInvitationsService,
    ProfileInvitationsService,
    InvitationAcceptance,
    PasswordResetService,
    InvitationsRepository,
    Tickets,
    TicketsRepository,
    Outbox,
    OutboxRepository,
    EmailTransport,
    SmsTransport,
    AcceptPatientInvitationWhenPatientActivates,
    RevokeResetLinksWhenCredentialsEnd,
  ],
  exports: [Outbox],
})
export class InvitationsModule {}
