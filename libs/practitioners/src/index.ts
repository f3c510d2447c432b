export * from './practitioners.module';
export * from './application/practitioners.service';
export * from './api/dto/practitioner.dto';
export { toPractitionerView } from './api/practitioner.mapper';
export type { Practitioner, PractitionerContact, PractitionerInput } from './domain/practitioner';
export { practitionersPersistence } from './infrastructure/practitioners.persistence';
export * from './domain/practitioners.errors';
