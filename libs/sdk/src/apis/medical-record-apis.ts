import type { HttpClient } from '../http.js';
import type { DataSample, DataSampleDto, HealthcareElement, HealthcareElementDto, Page, PageRequest } from '../models.js';

// Two small classes rather than one generic: each call stays checked against its own path in the OpenAPI types.

export class DataSampleApi {
  constructor(private readonly http: HttpClient) {}

  /** Creates the data sample (`patientId`, `content`) when it has no `rev`, else modifies it. */
  createOrModify(dataSample: DataSample): Promise<DataSampleDto> {
    if (!dataSample.rev) return this.http.post('/api/v1/data-samples', { body: dataSample });
    if (!dataSample.id) throw new TypeError('A data sample with a rev needs its id');
    return this.http.put('/api/v1/data-samples/{id}', { path: { id: dataSample.id }, body: dataSample });
  }

  get(dataSampleId: string): Promise<DataSampleDto> {
    return this.http.get('/api/v1/data-samples/{id}', { path: { id: dataSampleId } });
  }

  /** The patient's data samples that the caller may read, one page at a time. */
  filterByPatient(patientId: string, page: PageRequest = {}): Promise<Page<DataSampleDto>> {
    return this.http.get('/api/v1/data-samples', { query: { patientId, ...page } });
  }

  /** Every data sample the caller may read, one page at a time. */
  list(page: PageRequest = {}): Promise<Page<DataSampleDto>> {
    return this.http.get('/api/v1/data-samples', { query: page });
  }

  /** Soft-deletes the data sample and returns its new rev. */
  async delete(dataSampleId: string): Promise<string> {
    return (await this.http.delete('/api/v1/data-samples/{id}', { path: { id: dataSampleId } })).rev;
  }
}

export class HealthcareElementApi {
  constructor(private readonly http: HttpClient) {}

  /** Creates the healthcare element (`patientId`, `content`) when it has no `rev`, else modifies it. */
  createOrModify(healthcareElement: HealthcareElement): Promise<HealthcareElementDto> {
    if (!healthcareElement.rev) return this.http.post('/api/v1/healthcare-elements', { body: healthcareElement });
    if (!healthcareElement.id) throw new TypeError('A healthcare element with a rev needs its id');
    return this.http.put('/api/v1/healthcare-elements/{id}', { path: { id: healthcareElement.id }, body: healthcareElement });
  }

  get(healthcareElementId: string): Promise<HealthcareElementDto> {
    return this.http.get('/api/v1/healthcare-elements/{id}', { path: { id: healthcareElementId } });
  }

  /** The patient's healthcare elements that the caller may read, one page at a time. */
  filterByPatient(patientId: string, page: PageRequest = {}): Promise<Page<HealthcareElementDto>> {
    return this.http.get('/api/v1/healthcare-elements', { query: { patientId, ...page } });
  }

  /** Every healthcare element the caller may read, one page at a time. */
  list(page: PageRequest = {}): Promise<Page<HealthcareElementDto>> {
    return this.http.get('/api/v1/healthcare-elements', { query: page });
  }

  /** Soft-deletes the healthcare element and returns its new rev. */
  async delete(healthcareElementId: string): Promise<string> {
    return (await this.http.delete('/api/v1/healthcare-elements/{id}', { path: { id: healthcareElementId } })).rev;
  }
}
