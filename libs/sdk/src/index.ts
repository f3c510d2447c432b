export { AnonymousCareidApi, CareidApi, type CareidApiInit, type CareidApiOptions } from './careid-api.js';
export { CareidApiError, type FieldProblem, type Problem } from './errors.js';
export { PatientFilter, UserFilter, type PatientFilterCriteria, type UserFilterCriteria } from './filters.js';
export { CryptoApi, hex2ua, RsaCrypto, ua2hex, type KeyPairHex, type WebCryptoKey, type WebCryptoKeyPair } from './crypto.js';
export type { Credentials, SessionTokens, TokenPair } from './session.js';
export type { Fetch } from './http.js';
export { CareidOidc, OidcError, type AuthorizeRequest, type CareidOidcOptions, type OidcTokens, type Pkce } from './oidc.js';
export * from './models.js';
export { UserApi, type InvitePatientOptions } from './apis/user-api.js';
export { PatientApi } from './apis/patient-api.js';
export { PractitionerApi } from './apis/practitioner-api.js';
export { DataSampleApi, HealthcareElementApi } from './apis/medical-record-apis.js';
export {
  NotificationApi,
  type NotificationEventCallback,
  type NotificationEventFilter,
  type NotificationEventType,
} from './apis/notification-api.js';
export { type Connection, type ServerSentEvent, ServerSentEventParser, type SubscriptionOptions } from './event-stream.js';
export { AuthenticationApi, type AuthenticationResult, type KeyPairProvider } from './apis/authentication-api.js';
export {
  IdentityProviderApi,
  type FederatedIdentityDto,
  type IdentityProvider,
  type IdentityProviderDto,
} from './apis/identity-provider-api.js';
export {
  AnonymousInvitationApi,
  InvitationApi,
  ticketFromInvitationUrl,
  type AcceptedInvitationApi,
  type BulkInviteOptions,
  type InvitationQuery,
  type InviteUser,
  type WaitForJobOptions,
} from './apis/invitation-api.js';
export {
  ICureRegistrationEmail,
  ICureRegistrationSMS,
  MessagePlaceholder,
  type EmailMessage,
  type EmailMessageFactory,
  type MessageFactory,
  type MessageRecipient,
  type SMSMessage,
  type SMSMessageFactory,
} from './messages.js';
export type {
  AcceptedInvitationTokens,
  BulkInvitePatients,
  CreateInvitation,
  InvitationJob,
  InvitationJobStarted,
  InvitationRedirect,
  MessageTemplate,
} from './contract.js';
export type { components, operations, paths } from './generated/schema.js';
