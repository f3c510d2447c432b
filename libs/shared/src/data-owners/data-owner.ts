/** The kinds of data owner: what a delegation, a notification's recipient or a user may name by id. */
export const DATA_OWNER_KINDS = ['patient', 'practitioner'] as const;
export type DataOwnerKind = (typeof DATA_OWNER_KINDS)[number];
