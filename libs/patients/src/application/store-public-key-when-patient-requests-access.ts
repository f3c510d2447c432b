import { Injectable } from '@nestjs/common';
import { PatientAccessRequested } from '@careid/identity';
import { OnDomainEvent } from '@careid/shared';
import { PatientsService } from './patients.service';

/** An invited patient activating its account brings the public key practitioners will encrypt its data for. */
@Injectable()
export class StorePublicKeyWhenPatientRequestsAccess {
  constructor(private readonly patients: PatientsService) {}

  @OnDomainEvent(PatientAccessRequested)
  async storePublicKey(event: PatientAccessRequested): Promise<void> {
    await this.patients.storePublicKey(event.patientId, event.publicKey);
  }
}
