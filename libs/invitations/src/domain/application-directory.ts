/** A registered application (OAuth client) as invitations see it: where an invited person may be sent once done. */
export interface RegisteredApplication {
  id: string;
  name: string;
  redirectUris: string[];
}

/**
 * What invitations need from the applications registry: an invitation's `applicationId` names one, and its first
 * redirect URI is the invitation's default `redirectUrl`. The composition root binds it, so this context does not
 * depend on the registry. Required: Nest refuses to start when the root does not bind it.
 */
export interface ApplicationDirectory {
  /** The application with this id; null when there is none. */
  findApplication(id: string): Promise<RegisteredApplication | null>;
}

export const APPLICATION_DIRECTORY = Symbol('APPLICATION_DIRECTORY');
