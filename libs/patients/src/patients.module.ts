import { Module } from '@nestjs/common';
import { IdentityModule } from '@careid/identity';
import { PractitionersModule } from '@careid/practitioners';
import { DataSamplesController, HealthcareElementsController } from './api/medical-records.controllers';
import { PatientsController } from './api/patients.controller';
import { DataSharingService } from './application/data-sharing.service';
import { MedicalDataAudit } from './application/medical-data-audit';
import { MedicalRecordsService } from './application/medical-records.service';
import { PatientsService } from './application/patients.service';
import { StorePublicKeyWhenPatientRequestsAccess } from './application/store-public-key-when-patient-requests-access';
import { MedicalRecordsRepository } from './infrastructure/medical-records.repository';
import { PatientsRepository } from './infrastructure/patients.repository';

@Module({
  imports: [IdentityModule, PractitionersModule],
  controllers: [PatientsController, DataSamplesController, HealthcareElementsController],
  providers: [
    PatientsService,
    MedicalRecordsService,
    DataSharingService,
    MedicalDataAudit,
    StorePublicKeyWhenPatientRequestsAccess,
    PatientsRepository,
    MedicalRecordsRepository,
  ],
  exports: [PatientsService],
})
export class PatientsModule {}
