import { withoutUndefined } from '@careid/shared';
import type { Practitioner } from '../domain/practitioner';
import type { PractitionerDto } from './dto/practitioner.dto';

/** The JSON a client sees: absent values left out. */
export function toPractitionerView(practitioner: Practitioner): PractitionerDto {
  return withoutUndefined({
    id: practitioner.id,
    rev: practitioner.rev,
    created: practitioner.created,
    modified: practitioner.modified,
    deletionDate: practitioner.deletionDate ?? undefined,
    firstName: practitioner.firstName ?? undefined,
    lastName: practitioner.lastName ?? undefined,
    names: practitioner.names,
    gender: practitioner.gender,
    speciality: practitioner.speciality ?? undefined,
    addresses: practitioner.addresses,
    languages: practitioner.languages,
    properties: practitioner.properties,
  });
}
