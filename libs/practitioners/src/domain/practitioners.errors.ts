import { defineErrorCodes } from '@careid/shared';

/** Every way the practitioners context says no. */
export const PractitionersErrors = defineErrorCodes({
  REV_REQUIRED: { code: 'REV_REQUIRED', status: 400, message: 'A modification must carry the rev it is based on' },
  ID_MISMATCH: { code: 'ID_MISMATCH', status: 400, message: 'The body id differs from the path id' },
  NOT_OWN_PRACTITIONER: {
    code: 'NOT_OWN_PRACTITIONER',
    status: 403,
    message: 'A practitioner user may modify only its own practitioner record',
  },
  PRACTITIONER_NOT_FOUND: { code: 'PRACTITIONER_NOT_FOUND', status: 404, message: 'No such practitioner' },
  REVISION_CONFLICT: {
    code: 'REVISION_CONFLICT',
    status: 409,
    message: 'The practitioner was modified meanwhile; reload it and apply your change again',
  },
});
