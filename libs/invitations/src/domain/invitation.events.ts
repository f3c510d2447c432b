import { DomainEvent } from '@careid/shared';

export class UserInvited extends DomainEvent {
  static readonly eventName = 'invitations.user-invited';
  readonly eventName = UserInvited.eventName;
  constructor(
    readonly invitationId: string,
    readonly userId: string,
    readonly profile: string,
    readonly channel: 'email' | 'sms' | 'link',
  ) {
    super();
  }
}

export class InvitationAccepted extends DomainEvent {
  static readonly eventName = 'invitations.invitation-accepted';
  readonly eventName = InvitationAccepted.eventName;
  constructor(
    readonly invitationId: string,
    readonly userId: string,
  ) {
    super();
  }
}

export class InvitationRevoked extends DomainEvent {
  static readonly eventName = 'invitations.invitation-revoked';
  readonly eventName = InvitationRevoked.eventName;
  constructor(
    readonly invitationId: string,
    readonly userId: string,
  ) {
    super();
  }
}
