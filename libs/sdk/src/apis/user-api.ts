import type { HttpClient } from '../http.js';
import type { UserFilterCriteria } from '../filters.js';
import type { Page, PageRequest, User, UserDto } from '../models.js';
import type { InvitePatientOptions } from '../contract.js';
import { invitationOptions, type EmailMessageFactory, type SMSMessageFactory } from '../messages.js';

export type { InvitePatientOptions };

export class UserApi {
  constructor(private readonly http: HttpClient) {}

  /** Creates the user when it has no `rev` (admin), else modifies it (the whole user as read, with changes). */
  createOrModify(user: User): Promise<UserDto> {
    if (!user.rev) return this.http.post('/api/v1/users', { body: user });
    if (!user.id) throw new TypeError('A user with a rev needs its id');
    return this.http.put('/api/v1/users/{id}', { path: { id: user.id }, body: user });
  }

  get(userId: string): Promise<UserDto> {
    return this.http.get('/api/v1/users/{id}', { path: { id: userId } });
  }

  getByEmail(email: string): Promise<UserDto> {
    return this.http.get('/api/v1/users/by-email/{email}', { path: { email } });
  }

  getLogged(): Promise<UserDto> {
    return this.http.get('/api/v1/users/current');
  }

  /** Users matching a filter built with `UserFilter` (admin), one page at a time. */
  filterBy(filter: UserFilterCriteria, page: PageRequest = {}): Promise<Page<UserDto>> {
    return this.http.get('/api/v1/users', { query: { ...filter, ...page } });
  }

  /** Soft-deletes the user (admin) and returns its new rev. */
  async delete(userId: string): Promise<string> {
    return (await this.http.delete('/api/v1/users/{id}', { path: { id: userId } })).rev;
  }

  /** A token that works as the user's password for `validitySeconds`; yourself, or anyone as admin. */
  async createToken(userId: string, validitySeconds: number): Promise<string> {
    return (await this.http.post('/api/v1/users/{id}/tokens', { path: { id: userId }, body: { validitySeconds } })).token;
  }

  /**
   * iCure's createAndInviteUser: creates the patient's user (REGISTERING) and sends it a message with its
   * login and a short-lived token, by email or SMS. Either with options (channel, tokenValiditySeconds,
   * loginUrl, solutionName, message), or as in iCure with a message factory (`ICureRegistrationEmail`,
   * `ICureRegistrationSMS`, or your own) and the token's lifetime in seconds.
   */
  createAndInviteUser(patient: { id: string } | string, options?: InvitePatientOptions): Promise<UserDto>;
  createAndInviteUser(
    patient: { id: string } | string,
    messageFactory: EmailMessageFactory | SMSMessageFactory,
    tokenDurationSeconds?: number,
  ): Promise<UserDto>;
  createAndInviteUser(
    patient: { id: string } | string,
    optionsOrFactory?: InvitePatientOptions | EmailMessageFactory | SMSMessageFactory,
    tokenDurationSeconds?: number,
  ): Promise<UserDto> {
    const id = typeof patient === 'string' ? patient : patient.id;
    const body = invitationOptions(optionsOrFactory, tokenDurationSeconds);
    return this.http.post('/api/v1/patients/{id}/invite', { path: { id }, body });
  }

  /** The name the seed's "Creating a user associated to a patient" uses for `createAndInviteUser`. */
  createAndInviteFor(patient: { id: string } | string, options: InvitePatientOptions = {}): Promise<UserDto> {
    return this.createAndInviteUser(patient, options);
  }
}
