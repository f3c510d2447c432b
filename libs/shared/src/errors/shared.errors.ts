import { defineErrorCodes } from './error-codes';

/** The shared kernel's error codes: malformed requests and database failures, whatever the context. */
export const SharedErrors = defineErrorCodes({
  VALIDATION_FAILED: { code: 'VALIDATION_FAILED', status: 400, message: 'The request is not valid; see `errors` for each field' },
  MALFORMED_JSON: { code: 'MALFORMED_JSON', status: 400, message: 'The request body is not valid JSON' },
  JSON_TOO_DEEP: { code: 'JSON_TOO_DEEP', status: 400, message: 'The request body nests too deep' },
  INVALID_ID: { code: 'INVALID_ID', status: 400, message: 'The id in the path is not a UUID' },
  INVALID_CURSOR: { code: 'INVALID_CURSOR', status: 400, message: 'The cursor is not one this list returned' },
  INVALID_CHARACTERS: { code: 'INVALID_CHARACTERS', status: 400, message: 'A value contains a control, format or zero-width character' },
  INVALID_MOBILE: { code: 'INVALID_MOBILE', status: 400, message: 'A mobile number is not valid' },
  CONSTRAINT_VIOLATED: { code: 'CONSTRAINT_VIOLATED', status: 400, message: 'The request breaks a rule of the data' },
  REFERENCE_NOT_FOUND: { code: 'REFERENCE_NOT_FOUND', status: 400, message: 'The request refers to a record that does not exist' },
  INVALID_VALUE: { code: 'INVALID_VALUE', status: 400, message: 'A value in the request is not valid' },
  REQUEST_TOO_COMPLEX: { code: 'REQUEST_TOO_COMPLEX', status: 400, message: 'The request is too complex' },
  CONCURRENT_UPDATE: { code: 'CONCURRENT_UPDATE', status: 409, message: 'A concurrent update got in the way; try again' },
  METRICS_TOKEN_REQUIRED: {
    code: 'METRICS_TOKEN_REQUIRED',
    status: 401,
    message: '/metrics needs Authorization: Bearer <METRICS_TOKEN>',
  },
  RATE_LIMITED: { code: 'RATE_LIMITED', status: 429, message: 'Too many authentication requests from this address; slow down' },
  DATABASE_TIMEOUT: { code: 'DATABASE_TIMEOUT', status: 503, message: 'The database did not answer in time; try again' },
  DATABASE_UNAVAILABLE: { code: 'DATABASE_UNAVAILABLE', status: 503, message: 'The database is unavailable; try again shortly' },
});
