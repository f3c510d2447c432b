import { Module } from '@nestjs/common';
import { IdentityModule } from '@careid/identity';
import { PractitionersController } from './api/practitioners.controller';
import { PractitionersService } from './application/practitioners.service';
import { PractitionersRepository } from './infrastructure/practitioners.repository';

@Module({
  imports: [IdentityModule],
  controllers: [PractitionersController],
  providers: [PractitionersService, PractitionersRepository],
  exports: [PractitionersService],
})
export class PractitionersModule {}
