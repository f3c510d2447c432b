import { Module } from '@nestjs/common';
import { IdentityModule } from '@careid/identity';
import { BulkInvitationController, InvitationJobsController } from './api/invitation-jobs.controller';
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
import { InvitationJobsService } from './application/invitation-jobs.service';
import { InvitationJobsWorker } from './application/invitation-jobs.worker';
import { Outbox } from './application/outbox';
import { PasswordResetMails } from './application/password-reset-mails';
import { PatientInvitationBatches } from './application/patient-invitation-batches';
import { PatientInvitationsService } from './application/patient-invitations.service';
import { ProfileInvitationsService } from './application/profile-invitations.service';
import { EmailTransport, SmsTransport } from './application/transports';
import { InvitationJobsRepository } from './infrastructure/invitation-jobs.repository';
import { InvitationsRepository } from './infrastructure/invitations.repository';
import { OutboxClaims } from './infrastructure/outbox-claims';
import { OutboxRepository } from './infrastructure/outbox.repository';

@Module({
  imports: [IdentityModule],
  controllers: [InvitationsController, BulkInvitationController, PatientInvitationController, InvitationJobsController, WebController],
  providers: [
    PatientInvitationsService,
    PatientInvitationBatches,
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
    OutboxClaims,
    EmailTransport,
    SmsTransport,
    AcceptPatientInvitationWhenPatientActivates,
    InvitationJobsService,
    InvitationJobsWorker,
    InvitationJobsRepository,
    PatientInvitationRedirects,
  ],
  exports: [Outbox, PasswordResetMails, PatientInvitationRedirects],
})
export class InvitationsModule {}
