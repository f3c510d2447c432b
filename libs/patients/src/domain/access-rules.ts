import type { Principal } from '@careid/identity';

/** Whether the delegations name the data owner the caller stands for. */
function isDelegate(actor: Principal, delegations: string[]): boolean {
  return actor.dataOwnerId !== null && delegations.includes(actor.dataOwnerId);
}

/**
 * Whether a caller may touch a patient, once its role allows the action at
 * all (the permission guard): admins every one; others those whose
 * delegations name the data owner they stand for, except that a patient user
 * never touches another patient, even one shared with it.
 */
export function mayAccessPatient(actor: Principal, patient: { id: string; delegations: string[] }): boolean {
  if (actor.isAdmin) return true;
  if (actor.patientId !== null && patient.id !== actor.patientId) return false;
  return isDelegate(actor, patient.delegations);
}

/** The same for a medical record: a patient user only ever touches the records of its own patient. */
export function mayAccessRecord(actor: Principal, record: { patientId: string; delegations: string[] }): boolean {
  if (actor.isAdmin) return true;
  if (actor.patientId !== null && record.patientId !== actor.patientId) return false;
  return isDelegate(actor, record.delegations);
}

/** A patient's own user may always read the administrative part of its record. */
export function mayReadAdministrative(actor: Principal, patient: { id: string; delegations: string[] }): boolean {
  return actor.patientId === patient.id || mayAccessPatient(actor, patient);
}

/** The delegates of what a caller creates: the data owner it stands for and its auto-delegations. */
export function delegatesOnCreate(actor: Principal): string[] {
  const delegates = [actor.dataOwnerId, ...(actor.autoDelegations.all ?? [])].filter((id): id is string => !!id);
  return [...new Set(delegates.map((id) => id.toLowerCase()))];
}

/**
 * What a caller's lists cover: every record (admins), or those delegated to
 * the data owner it stands for; for a patient user (`patientId` set), only
 * its own patient and that patient's records among those.
 */
export type ReadScope = { everything: true } | { everything: false; dataOwnerId: string | null; patientId: string | null };

export function readScopeOf(actor: Principal): ReadScope {
  return actor.isAdmin ? { everything: true } : { everything: false, dataOwnerId: actor.dataOwnerId, patientId: actor.patientId };
}
