import { defineErrorCodes } from '@careid/shared';

/** Every way the applications context says no. */
export const ApplicationsErrors = defineErrorCodes({
  REV_REQUIRED: { code: 'REV_REQUIRED', status: 400, message: 'A modification must carry the rev it is based on' },
  ID_MISMATCH: { code: 'ID_MISMATCH', status: 400, message: 'The body id differs from the path id' },
  APPLICATION_TYPE_IMMUTABLE: {
    code: 'APPLICATION_TYPE_IMMUTABLE',
    status: 400,
    message: 'An application cannot change between public and confidential; register a new one',
  },
  NOT_CONFIDENTIAL: { code: 'NOT_CONFIDENTIAL', status: 400, message: 'A public application has no client secret' },
  APPLICATION_NOT_FOUND: { code: 'APPLICATION_NOT_FOUND', status: 404, message: 'No such application' },
  DUPLICATE_APPLICATION: { code: 'DUPLICATE_APPLICATION', status: 409, message: 'An application with this id already exists' },
  REVISION_CONFLICT: {
    code: 'REVISION_CONFLICT',
    status: 409,
    message: 'The application was modified meanwhile; reload it and apply your change again',
  },
});
