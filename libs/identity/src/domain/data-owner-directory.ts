/**
 * The identity context's view of the data owners users may stand for. The
 * composition root provides it from the practitioners and patients contexts,
 * so identity does not depend on them.
 * Required: Nest refuses to start when the root does not bind it.
 */
export interface DataOwnerDirectory {
  practitionerExists(id: string): Promise<boolean>;
  patientExists(id: string): Promise<boolean>;
  /** Those of `ids` that name no live practitioner or patient. */
  unknownDataOwners(ids: string[]): Promise<string[]>;
}

export const DATA_OWNER_DIRECTORY = Symbol('DATA_OWNER_DIRECTORY');
