import { DomainEvent } from '@careid/shared';

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
