import { Module } from '@nestjs/common';
import { IdentityModule } from '@careid/identity';
import { InvitationsController } from './api/invitations.controller';
import { PatientInvitationController } from './api/patient-invitation.controller';
import { WebController } from './api/web.controller';
import { PatientInvitationRedirects } from './application/activation-redirects';
import { AcceptPatientInvitationWhenPatientActivates } from './application/accept-patient-invitation-when-patient-activates';
import { InvitationAcceptance } from './application/invitation-acceptance.service';
import { InvitationExpiry } from './application/invitation-expiry';
import { InvitationRenewals } from './application/invitation-renewals';
import { InvitationTargets } from './application/invitation-targets';
import { InvitationsService } from './application/invitations.service';
import { Outbox } from './application/outbox';
import { PasswordResetMails } from './application/password-reset-mails';
import { PatientInvitationsService } from './application/patient-invitations.service';
import { ProfileInvitationsService } from './application/profile-invitations.service';
import { EmailTransport, SmsTransport } from './application/transports';
import { InvitationsRepository } from './infrastructure/invitations.repository';
import { OutboxRepository } from './infrastructure/outbox.repository';

@Module({
  imports: [IdentityModule],
  controllers: [InvitationsController, PatientInvitationController, WebController],
  providers: [
    PatientInvitationsService,
    ProfileInvitationsService,
    InvitationsService,
    InvitationRenewals,
    InvitationTargets,
    InvitationExpiry,
    InvitationAcceptance,
    PasswordResetMails,
    InvitationsRepository,
    Outbox,
    OutboxRepository,
    EmailTransport,
    SmsTransport,
    AcceptPatientInvitationWhenPatientActivates,
    PatientInvitationRedirects,
  ],
  exports: [Outbox, PasswordResetMails, PatientInvitationRedirects],
})
export class InvitationsModule {}
