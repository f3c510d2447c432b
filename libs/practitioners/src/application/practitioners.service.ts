import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { AuditTrail, Principal } from '@careid/identity';
import {
  cleanAddresses,
  contactPointsOf,
  DataOwnerIds,
  DomainError,
  domainError,
  firstRev,
  nameSearchKeys,
  nextRev,
  Page,
  resolveNames,
  TransactionHost,
} from '@careid/shared';
import { Practitioner, PractitionerContact, PractitionerInput } from '../domain/practitioner';
import { PractitionersErrors } from '../domain/practitioners.errors';
import { PractitionerColumns, PractitionersRepository } from '../infrastructure/practitioners.repository';

/**
 * The practitioners context's facade: the HTTP layer and other contexts call
 * this. Practitioners are a directory every user may read; who may write is
 * decided by the permission guard (admins; practitioner users on their own
 * record, checked here).
 */
@Injectable()
export class PractitionersService {
  constructor(
    private readonly tx: TransactionHost,
    private readonly practitioners: PractitionersRepository,
    private readonly dataOwnerIds: DataOwnerIds,
    private readonly audit: AuditTrail,
  ) {}

  async create(input: PractitionerInput): Promise<Practitioner> {
    const now = Date.now();
    const id = input.id?.toLowerCase() ?? randomUUID();
    return this.tx.run(async () => {
      await this.dataOwnerIds.claim(id, 'practitioner');
      const practitioner = await this.practitioners.insert(id, now, this.columns(input, firstRev(), now));
      await this.audit.record({ type: 'PRACTITIONER_CREATED', targetType: 'Practitioner', targetId: practitioner.id });
      return practitioner;
    });
  }

  async modify(id: string, input: PractitionerInput, actor: Principal): Promise<Practitioner> {
    if (!input.rev) throw domainError(PractitionersErrors.REV_REQUIRED);
    if (input.id && input.id.toLowerCase() !== id) throw domainError(PractitionersErrors.ID_MISMATCH);
    const current = await this.get(id);
    if (!actor.isAdmin && actor.healthcarePartyId !== id) {
      await this.audit.record({
        type: 'PRACTITIONER_MODIFIED',
        outcome: 'denied',
        targetType: 'Practitioner',
        targetId: id,
        details: { reason: 'not-own-record' },
      });
      throw domainError(PractitionersErrors.NOT_OWN_PRACTITIONER);
    }
    return this.tx.run(async () => {
      const updated = await this.practitioners.replaceIfRev(id, input.rev!, this.columns(input, nextRev(input.rev!), Date.now(), current));
      if (!updated) throw await this.staleOrMissing(id);
      await this.audit.record({ type: 'PRACTITIONER_MODIFIED', targetType: 'Practitioner', targetId: id });
      return updated;
    });
  }

  async get(id: string): Promise<Practitioner> {
    const practitioner = await this.practitioners.findById(id);
    if (!practitioner) throw this.notFound();
    return practitioner;
  }

  filter(query: { name?: string }, limit: number, cursor?: string): Promise<Page<Practitioner>> {
    return this.practitioners.filter({ namePrefix: query.name }, limit, cursor);
  }

  async delete(id: string): Promise<{ id: string; rev: string }> {
    return this.tx.run(async () => {
      const deleted = await this.practitioners.softDelete(id, Date.now());
      if (!deleted) throw this.notFound();
      await this.audit.record({ type: 'PRACTITIONER_DELETED', targetType: 'Practitioner', targetId: id });
      return deleted;
    });
  }

  // --- for other contexts ---

  practitionerExists(id: string): Promise<boolean> {
    return this.practitioners.exists(id);
  }

  /** Those of `ids` (UUIDs) that name a live practitioner. */
  existingIds(ids: string[]): Promise<string[]> {
    return this.practitioners.liveIds(ids);
  }

  /** Names, emails and mobile numbers of a live practitioner, or null. */
  async getContact(id: string): Promise<PractitionerContact | null> {
    const practitioner = await this.practitioners.findById(id);
    if (!practitioner) return null;
    const { firstName, lastName, names, addresses } = practitioner;
    return { id, firstName, lastName, names, ...contactPointsOf(addresses) };
  }

  /** Every column of a write: on modify, a field left out keeps its value. */
  private columns(input: PractitionerInput, rev: string, now: number, current?: Practitioner): PractitionerColumns {
    const { firstName, lastName, names } = resolveNames(input, current);
    const keys = nameSearchKeys(firstName, lastName);
    return {
      rev,
      modified: now,
      firstName,
      lastName,
      familyFirstKey: keys.familyFirst,
      givenFirstKey: keys.givenFirst,
      names,
      gender: input.gender ?? current?.gender ?? 'unknown',
      speciality: input.speciality !== undefined ? input.speciality : (current?.speciality ?? null),
      addresses: input.addresses ? cleanAddresses(input.addresses) : (current?.addresses ?? []),
      languages: input.languages ?? current?.languages ?? [],
      properties: input.properties ?? current?.properties ?? {},
    };
  }

  private async staleOrMissing(id: string): Promise<DomainError> {
    return (await this.practitioners.exists(id)) ? domainError(PractitionersErrors.REVISION_CONFLICT) : this.notFound();
  }

  private notFound(): DomainError {
    return domainError(PractitionersErrors.PRACTITIONER_NOT_FOUND);
  }
}
