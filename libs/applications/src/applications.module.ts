import { Module } from '@nestjs/common';
import { IdentityModule } from '@careid/identity';
import { ApplicationsController } from './api/applications.controller';
import { ApplicationsService } from './application/applications.service';
import { ApplicationsRepository } from './infrastructure/applications.repository';

@Module({
  imports: [IdentityModule],
  controllers: [ApplicationsController],
  providers: [ApplicationsService, ApplicationsRepository],
  exports: [ApplicationsService],
})
export class ApplicationsModule {}
