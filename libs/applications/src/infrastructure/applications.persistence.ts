import { Persistence } from '@careid/shared';
import { ApplicationEntity } from './application.entity';
import { CreateApplications1796600000000 } from './migrations/1796600000000-CreateApplications';

export const applicationsPersistence: Persistence = {
  entities: [ApplicationEntity],
  migrations: [CreateApplications1796600000000],
};
