/** An OAuth client registered by an admin: the applications users sign in to and invitations send people back to. */
export type ApplicationType = 'public' | 'confidential';

export const APPLICATION_TYPES: readonly ApplicationType[] = ['public', 'confidential'];

/** The scopes an application may ask for; `offline_access` lets it hold a refresh token. */
export const APPLICATION_SCOPES = ['openid', 'profile', 'email', 'offline_access'] as const;
export type ApplicationScope = (typeof APPLICATION_SCOPES)[number];

export interface Application {
  id: string;
  rev: string;
  clientId: string;
  name: string;
  type: ApplicationType;
  redirectUris: string[];
  postLogoutRedirectUris: string[];
  allowedScopes: ApplicationScope[];
  created: number;
  modified: number;
}

/** What an admin writes; the server fills the rest. */
export interface ApplicationInput {
  id?: string;
  rev?: string;
  name: string;
  type: ApplicationType;
  redirectUris: string[];
  postLogoutRedirectUris?: string[];
  allowedScopes?: ApplicationScope[];
}
