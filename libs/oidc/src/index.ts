export * from './oidc.module';
export { OpenIdProvider } from './application/openid-provider';
export { SigningKeys } from './application/signing-keys';
export { mountOpenIdProvider } from './api/provider-routes';
export { requireEsm } from './infrastructure/require-esm';
export { oidcPersistence } from './infrastructure/oidc.persistence';
