export * from './invitations.module';
export * from './application/outbox';
export * from './application/password-reset-mails';
export * from './application/activation-redirects';
export * from './domain/invitation.events';
export * from './domain/profile-directory';
export * from './domain/application-directory';
export { invitationsPersistence } from './infrastructure/invitations.persistence';
