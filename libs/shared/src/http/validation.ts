import { ValidationError, ValidationPipe } from '@nestjs/common';
import { FieldProblem } from '../errors/domain-error';
import { domainError } from '../errors/error-codes';
import { SharedErrors } from '../errors/shared.errors';

function flatten(errors: ValidationError[], parent = ''): FieldProblem[] {
  return errors.flatMap((error) => {
    const field = parent ? `${parent}.${error.property}` : error.property;
    const own = Object.values(error.constraints ?? {}).map((message) => ({
      field,
      // class-validator's whitelist message names the property already; keep the others short.
      message: message.length > 300 ? `${message.slice(0, 300)}…` : message,
    }));
    return [...own, ...flatten(error.children ?? [], field)];
  });
}

/** Rejects unknown properties and wrong types with 400 VALIDATION_FAILED and one entry per field. */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    transformOptions: { enableImplicitConversion: false },
    forbidUnknownValues: true,
    stopAtFirstError: false,
    validationError: { target: false, value: false },
    exceptionFactory: (errors) =>
      domainError(SharedErrors.VALIDATION_FAILED, SharedErrors.VALIDATION_FAILED.message, { errors: flatten(errors).slice(0, 50) }),
  });
}
