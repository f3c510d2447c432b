import { randomBytes, randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { AuditTrail, SecretCipher } from '@careid/identity';
import { domainError, firstRev, Page, registerUniqueConstraintCode, TransactionHost } from '@careid/shared';
import { Application, APPLICATION_SCOPES, ApplicationInput } from '../domain/application';
import { ApplicationsErrors } from '../domain/applications.errors';
import { ApplicationColumns, ApplicationsRepository } from '../infrastructure/applications.repository';

registerUniqueConstraintCode('applications_pkey', 'DUPLICATE_APPLICATION', ApplicationsErrors.DUPLICATE_APPLICATION.message);

/** A registered application with the secret a confidential one was just given (shown once, never stored in the clear). */
export type ApplicationWithSecret = Application & { clientSecret?: string };

/** Where a sealed client secret lives: a ciphertext copied to another application's row does not open. */
const secretContext = (id: string) => `applications.client_secret:${id}`;

/**
 * The applications context's facade: OAuth clients an admin registers (the
 * apps people sign in to through Careid's OpenID provider, and that
 * invitations send them back to). Admin-only at the HTTP edge.
 */
@Injectable()
export class ApplicationsService {
  constructor(
    private readonly tx: TransactionHost,
    private readonly applications: ApplicationsRepository,
    private readonly cipher: SecretCipher,
    private readonly audit: AuditTrail,
  ) {}

  async register(input: ApplicationInput): Promise<ApplicationWithSecret> {
    const id = input.id?.toLowerCase() ?? randomUUID();
    const clientSecret = input.type === 'confidential' ? newSecret() : undefined;
    return this.tx.run(async () => {
      const application = await this.applications.insert(
        {
          id,
          rev: firstRev(),
          clientId: `careid-${randomBytes(12).toString('base64url')}`,
          type: input.type,
          sealedSecret: clientSecret ? this.cipher.seal(clientSecret, secretContext(id)) : null,
          now: Date.now(),
        },
        columnsOf(input),
      );
      await this.audit.record({ type: 'APPLICATION_CREATED', targetType: 'Application', targetId: id });
      return clientSecret ? { ...application, clientSecret } : application;
    });
  }

  async get(id: string): Promise<Application> {
    const application = await this.applications.findById(id);
    if (!application) throw domainError(ApplicationsErrors.APPLICATION_NOT_FOUND);
    return application;
  }

  list(limit: number, cursor?: string): Promise<Page<Application>> {
    return this.applications.list(limit, cursor);
  }

  async modify(id: string, input: ApplicationInput): Promise<Application> {
    if (!input.rev) throw domainError(ApplicationsErrors.REV_REQUIRED);
    if (input.id && input.id.toLowerCase() !== id) throw domainError(ApplicationsErrors.ID_MISMATCH);
    const current = await this.get(id);
    if (input.type !== current.type) throw domainError(ApplicationsErrors.APPLICATION_TYPE_IMMUTABLE);
    return this.tx.run(async () => {
      const updated = await this.applications.replaceIfRev(id, input.rev!, Date.now(), columnsOf(input));
      if (!updated)
        throw domainError(
          (await this.applications.findById(id)) ? ApplicationsErrors.REVISION_CONFLICT : ApplicationsErrors.APPLICATION_NOT_FOUND,
        );
      await this.audit.record({ type: 'APPLICATION_MODIFIED', targetType: 'Application', targetId: id });
      return updated;
    });
  }

  /** A new secret for a confidential application; the old one stops working at once. */
  async rotateSecret(id: string): Promise<ApplicationWithSecret> {
    const current = await this.get(id);
    if (current.type !== 'confidential') throw domainError(ApplicationsErrors.NOT_CONFIDENTIAL);
    const clientSecret = newSecret();
    return this.tx.run(async () => {
      const updated = await this.applications.replaceSecret(id, this.cipher.seal(clientSecret, secretContext(id)), Date.now());
      if (!updated) throw domainError(ApplicationsErrors.APPLICATION_NOT_FOUND);
      await this.audit.record({ type: 'APPLICATION_SECRET_ROTATED', targetType: 'Application', targetId: id });
      return { ...updated, clientSecret };
    });
  }

  async delete(id: string): Promise<{ id: string; rev: string }> {
    return this.tx.run(async () => {
      const deleted = await this.applications.delete(id);
      if (!deleted) throw domainError(ApplicationsErrors.APPLICATION_NOT_FOUND);
      await this.audit.record({ type: 'APPLICATION_DELETED', targetType: 'Application', targetId: id });
      return deleted;
    });
  }

  // --- for other contexts ---

  /** The application an id names, or null (invitations' `applicationId`). */
  findApplication(id: string): Promise<Application | null> {
    return this.applications.findById(id.toLowerCase());
  }

  /** The application a client id names and its secret in the clear (null for a public one), for checking a client's credentials. */
  async findClient(clientId: string): Promise<{ application: Application; clientSecret: string | null } | null> {
    const found = await this.applications.findByClientId(clientId);
    if (!found) return null;
    const { application, sealedSecret } = found;
    return { application, clientSecret: sealedSecret && this.cipher.open(sealedSecret, secretContext(application.id)) };
  }
}

function newSecret(): string {
  return randomBytes(32).toString('base64url');
}

function columnsOf(input: ApplicationInput): ApplicationColumns {
  return {
    name: input.name,
    redirectUris: [...new Set(input.redirectUris)],
    postLogoutRedirectUris: [...new Set(input.postLogoutRedirectUris ?? [])],
    allowedScopes: [...new Set(input.allowedScopes ?? APPLICATION_SCOPES)],
  };
}
