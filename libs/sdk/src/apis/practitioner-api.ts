import type { HttpClient } from '../http.js';
import type { Practitioner, PractitionerDto } from '../models.js';

export class PractitionerApi {
  constructor(private readonly http: HttpClient) {}

  /** Creates the practitioner when it has no `rev` (admin), else modifies it (admin, or its own user). */
  createOrModify(practitioner: Practitioner): Promise<PractitionerDto> {
    if (!practitioner.rev) return this.http.post('/api/v1/practitioners', { body: practitioner });
    if (!practitioner.id) throw new TypeError('A practitioner with a rev needs its id');
    return this.http.put('/api/v1/practitioners/{id}', { path: { id: practitioner.id }, body: practitioner });
  }

  get(practitionerId: string): Promise<PractitionerDto> {
    return this.http.get('/api/v1/practitioners/{id}', { path: { id: practitionerId } });
  }
}
