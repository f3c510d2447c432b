import type { HttpClient } from '../http.js';
import type { PatientFilterCriteria } from '../filters.js';
import type { AdministrativePatientDto, DataSharingReport, Page, PageRequest, Patient, PatientDto } from '../models.js';

export class PatientApi {
  constructor(private readonly http: HttpClient) {}

  /** Creates the patient when it has no `rev`, else modifies it (the whole patient as read, with changes). */
  createOrModify(patient: Patient): Promise<PatientDto> {
    if (!patient.rev) return this.http.post('/api/v1/patients', { body: patient });
    if (!patient.id) throw new TypeError('A patient with a rev needs its id');
    return this.http.put('/api/v1/patients/{id}', { path: { id: patient.id }, body: patient });
  }

  get(patientId: string): Promise<PatientDto> {
    return this.http.get('/api/v1/patients/{id}', { path: { id: patientId } });
  }

  /** The unencrypted administrative part, which a patient reads about itself before any data is shared with it. */
  getAdministrative(patientId: string): Promise<AdministrativePatientDto> {
    return this.http.get('/api/v1/patients/{id}/administrative', { path: { id: patientId } });
  }

  /** The patients matching a filter built with `PatientFilter` that the caller may read, one page at a time. */
  filterBy(filter: PatientFilterCriteria = {}, page: PageRequest = {}): Promise<Page<PatientDto>> {
    return this.http.get('/api/v1/patients', { query: { ...filter, ...page } });
  }

  /** Soft-deletes the patient and returns its new rev. */
  async delete(patientId: string): Promise<string> {
    return (await this.http.delete('/api/v1/patients/{id}', { path: { id: patientId } })).rev;
  }

  /** iCure's giveAccessToAllDataOf: makes the patient a delegate of its record and of every record of it you can read. */
  giveAccessToAllDataOf(patientId: string): Promise<DataSharingReport> {
    return this.http.post('/api/v1/patients/{id}/share-all-data', { path: { id: patientId } });
  }

  /**
   * Shares the patient with another data owner (a colleague practitioner, or a patient); with
   * `includeRecords`, also every medical record of the patient that you can read. Returns the patient
   * with its delegations.
   */
  shareWith(patientId: string, dataOwnerId: string, options: { includeRecords?: boolean } = {}): Promise<PatientDto> {
    return this.http.post('/api/v1/patients/{id}/delegations', { path: { id: patientId }, body: { dataOwnerId, ...options } });
  }
}
