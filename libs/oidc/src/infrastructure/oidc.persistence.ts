import { Persistence } from '@careid/shared';
import { CreateOpenIdProvider1796642000000 } from './migrations/1796642000000-CreateOpenIdProvider';
import { OidcPayloadEntity, OidcSessionLinkEntity, OidcSigningKeyEntity } from './oidc.entities';

export const oidcPersistence: Persistence = {
  entities: [OidcPayloadEntity, OidcSigningKeyEntity, OidcSessionLinkEntity],
  migrations: [CreateOpenIdProvider1796642000000],
};
