import { Persistence } from '@careid/shared';
import { CreatePractitioners1795430000000 } from './migrations/1795430000000-CreatePractitioners';
import { PractitionerEntity } from './practitioner.entity';

export const practitionersPersistence: Persistence = {
  entities: [PractitionerEntity],
  migrations: [CreatePractitioners1795430000000],
};
