import type { Persistence } from '../database/data-source-options';
import { DataOwnerEntity } from './data-owner.entity';
import { OneIdSpaceForDataOwners1796200000000 } from './migrations/1796200000000-OneIdSpaceForDataOwners';

export const dataOwnersPersistence: Persistence = {
  entities: [DataOwnerEntity],
  migrations: [OneIdSpaceForDataOwners1796200000000],
};
