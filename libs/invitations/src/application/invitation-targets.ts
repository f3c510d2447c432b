import { Inject, Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { AppConfigService } from '@careid/shared';
import { invitationRedirect } from '../domain/allowed-redirect';
import { APPLICATION_DIRECTORY, ApplicationDirectory } from '../domain/application-directory';
import { invitationsError } from '../domain/invitations.errors';
import type { InvitationTarget } from '../infrastructure/invitations.repository';

export type { InvitationTarget } from '../infrastructure/invitations.repository';

/** Where an invitation leads once accepted: an allowed `redirectUrl`, or the first redirect URI of its application. */
@Injectable()
export class InvitationTargets {
  private readonly allowedRedirectOrigins: string[];

  constructor(
    @Inject(APPLICATION_DIRECTORY) private readonly applications: ApplicationDirectory,
    @Inject(ConfigService) config: AppConfigService,
  ) {
    this.allowedRedirectOrigins = config.get('app', { infer: true }).allowedRedirectOrigins;
  }

  /** Checks the invite's `redirectUrl` and `applicationId` (400 REDIRECT_NOT_ALLOWED, 404 APPLICATION_NOT_FOUND). */
  async resolve(input: { redirectUrl?: string; applicationId?: string }): Promise<InvitationTarget> {
    const application = input.applicationId ? await this.applications.findApplication(input.applicationId) : null;
    if (input.applicationId && !application) throw invitationsError('APPLICATION_NOT_FOUND');
    return {
      redirectUrl: invitationRedirect(input.redirectUrl, application, this.allowedRedirectOrigins),
      applicationId: application?.id ?? null,
    };
  }

  /** The name of an invitation's application, for the set-password page; null when it has none (or it was deleted). */
  async applicationName(applicationId: string | null): Promise<string | null> {
    if (!applicationId) return null;
    return (await this.applications.findApplication(applicationId))?.name ?? null;
  }
}
