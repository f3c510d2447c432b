import type { Principal } from '@careid/identity';

/**
 * Which records a caller may touch, once its role allows the action at all
 * (the permission guard): admins every one, others those whose delegations
 * name the data owner they stand for.
 */
export function mayAccess(actor: Principal, delegations: string[]): boolean {
  return actor.isAdmin || (actor.dataOwnerId !== null && delegations.includes(actor.dataOwnerId));
}

/** A patient's own user may always read the administrative part of its record. */
export function mayReadAdministrative(actor: Principal, patient: { id: string; delegations: string[] }): boolean {
  return actor.patientId === patient.id || mayAccess(actor, patient.delegations);
}

/** The delegates of what a caller creates: the data owner it stands for and its auto-delegations. */
export function delegatesOnCreate(actor: Principal): string[] {
  const delegates = [actor.dataOwnerId, ...(actor.autoDelegations.all ?? [])].filter((id): id is string => !!id);
  return [...new Set(delegates.map((id) => id.toLowerCase()))];
}

/** What a caller's lists cover: every record (admins), or those delegated to the data owner it stands for. */
export type ReadScope = { everything: true } | { everything: false; dataOwnerId: string | null };

export function readScopeOf(actor: Principal): ReadScope {
  return actor.isAdmin ? { everything: true } : { everything: false, dataOwnerId: actor.dataOwnerId };
}
