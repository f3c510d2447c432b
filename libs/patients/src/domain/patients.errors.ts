import { defineErrorCodes } from '@careid/shared';

/** Every way the patients context says no (patients, data samples, healthcare elements, sharing). */
export const PatientsErrors = defineErrorCodes({
  REV_REQUIRED: { code: 'REV_REQUIRED', status: 400, message: 'A modification must carry the rev it is based on' },
  ID_MISMATCH: { code: 'ID_MISMATCH', status: 400, message: 'The body id differs from the path id' },
  DATA_OWNER_NOT_FOUND: { code: 'DATA_OWNER_NOT_FOUND', status: 400, message: 'dataOwnerId names neither a practitioner nor a patient' },
  INVALID_PUBLIC_KEY: { code: 'INVALID_PUBLIC_KEY', status: 400, message: 'The public key must be a hex-encoded SPKI key' },
  INVALID_DATE_OF_BIRTH: { code: 'INVALID_DATE_OF_BIRTH', status: 400, message: 'dateOfBirth must be a real date as YYYYMMDD' },
  PATIENT_OF_USER_NOT_FOUND: { code: 'PATIENT_NOT_FOUND', status: 400, message: 'The patient of this user does not exist' },
  PATIENT_NOT_ACCESSIBLE: { code: 'PATIENT_NOT_FOUND', status: 400, message: 'patientId does not name a patient you can access' },
  PATIENT_NOT_FOUND: { code: 'PATIENT_NOT_FOUND', status: 404, message: 'No such patient' },
  PATIENT_REVISION_CONFLICT: {
    code: 'REVISION_CONFLICT',
    status: 409,
    message: 'The patient was modified meanwhile; reload it and apply your change again',
  },
  PATIENT_HAS_NO_USER: {
    code: 'PATIENT_HAS_NO_USER',
    status: 400,
    message: 'The patient has no user to share its data with; invite it first',
  },
  PATIENT_NOT_ACTIVATED: {
    code: 'PATIENT_NOT_ACTIVATED',
    status: 400,
    message: 'The patient has not activated its account yet; share its data once it has logged in with its invitation',
  },
  PATIENT_ID_REQUIRED: { code: 'PATIENT_ID_REQUIRED', status: 400, message: 'A medical record belongs to a patient: give patientId' },
  CONTENT_REQUIRED: { code: 'CONTENT_REQUIRED', status: 400, message: 'A medical record needs content' },
  PATIENT_ID_IMMUTABLE: { code: 'PATIENT_ID_IMMUTABLE', status: 400, message: 'A medical record cannot move to another patient' },
  CLOSING_BEFORE_OPENING: { code: 'CLOSING_BEFORE_OPENING', status: 400, message: 'closingDate must not be before openingDate' },
  DUPLICATE_RECORD_ID: { code: 'DUPLICATE_ID', status: 400, message: 'A medical record with this id already exists' },
  RECORD_REVISION_CONFLICT: {
    code: 'REVISION_CONFLICT',
    status: 409,
    message: 'The medical record was modified meanwhile; reload it and apply your change again',
  },
  DATA_SAMPLE_NOT_FOUND: { code: 'DATA_SAMPLE_NOT_FOUND', status: 404, message: 'No such data sample' },
  HEALTHCARE_ELEMENT_NOT_FOUND: { code: 'HEALTHCARE_ELEMENT_NOT_FOUND', status: 404, message: 'No such healthcare element' },
});
