import { Injectable, PipeTransform } from '@nestjs/common';
import { domainError } from '../errors/error-codes';
import { SharedErrors } from '../errors/shared.errors';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(value: unknown): value is string {
  return typeof value === 'string' && UUID.test(value);
}

/** Path ids must be UUIDs: anything else is a 400, before any query runs. */
@Injectable()
export class UuidPipe implements PipeTransform<string, string> {
  transform(value: string): string {
    if (!isUuid(value)) throw domainError(SharedErrors.INVALID_ID);
    return value.toLowerCase();
  }
}
