import { Injectable } from '@nestjs/common';
import { TransactionHost } from '../database/transaction-host';
import { registerUniqueConstraintCode } from '../errors/database-errors';
import type { DataOwnerKind } from './data-owner';

registerUniqueConstraintCode('data_owners_pkey', 'DUPLICATE_ID', 'A patient or practitioner with this id already exists');

/**
 * Patients and practitioners share one id space, kept by PostgreSQL: the
 * context creating a data owner claims its id here, in the same transaction,
 * and its table's foreign key refuses a row whose id was not claimed.
 */
@Injectable()
export class DataOwnerIds {
  constructor(private readonly tx: TransactionHost) {}

  /** Claims `id` for a new data owner; 400 DUPLICATE_ID when any patient or practitioner already has it. */
  async claim(id: string, kind: DataOwnerKind): Promise<void> {
    await this.tx.query('INSERT INTO data_owners (id, kind) VALUES ($1, $2)', [id, kind]);
  }
}
