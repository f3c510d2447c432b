import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { UsersRepository } from './users.repository';

/**
 * TOTP secrets are encrypted at rest (SecretCipher). Rows from before that
 * hold them in clear: they are encrypted here, at start-up, before the app
 * serves a request, rather than in a migration, because only the app holds
 * DATA_ENCRYPTION_KEY (migrations read no configuration). A key that does
 * not open the secrets already encrypted stops start-up.
 */
@Injectable()
export class TotpSecretsAtRest implements OnModuleInit {
  private readonly logger = new Logger(TotpSecretsAtRest.name);

  constructor(private readonly users: UsersRepository) {}

  async onModuleInit(): Promise<void> {
    const sealed = await this.users.sealClearSecrets();
    if (sealed) this.logger.log(`Encrypted the TOTP secrets of ${sealed} users stored in clear`);
  }
}
