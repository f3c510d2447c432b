import { Module } from '@nestjs/common';
import { IdentityModule } from '@careid/identity';
import { NotificationsController } from './api/notifications.controller';
import { NotificationStream } from './application/notification-stream';
import { NotificationsService } from './application/notifications.service';
import { NotifyPractitionersWhenPatientRequestsAccess } from './application/notify-practitioners-when-patient-requests-access';
import { NotificationsRepository } from './infrastructure/notifications.repository';

@Module({
  imports: [IdentityModule],
  controllers: [NotificationsController],
  providers: [NotificationsService, NotificationsRepository, NotificationStream, NotifyPractitionersWhenPatientRequestsAccess],
  exports: [NotificationsService],
})
export class NotificationsModule {}
