import { Injectable } from '@nestjs/common';
import { decodeCursor, NEXT_REV_SQL, Page, prefixPattern, SqlBuilder, toPage, TransactionHost } from '@careid/shared';
import type { Practitioner } from '../domain/practitioner';

/** Columns a write sets: the practitioner and its name search keys. */
export type PractitionerColumns = Omit<Practitioner, 'id' | 'created' | 'deletionDate'> & { familyFirstKey: string; givenFirstKey: string };

const COLUMNS: Record<keyof PractitionerColumns, string> = {
  rev: 'rev',
  modified: 'modified',
  firstName: 'first_name',
  lastName: 'last_name',
  familyFirstKey: 'family_first_key',
  givenFirstKey: 'given_first_key',
  names: 'names',
  gender: 'gender',
  speciality: 'speciality',
  addresses: 'addresses',
  languages: 'languages',
  properties: 'properties',
};
const JSON_COLUMNS = new Set<keyof PractitionerColumns>(['names', 'addresses', 'languages', 'properties']);

function toPractitioner(row: Record<string, any>): Practitioner {
  return {
    id: row.id,
    rev: row.rev,
    created: Number(row.created),
    modified: Number(row.modified),
    deletionDate: row.deletion_date === null ? null : Number(row.deletion_date),
    firstName: row.first_name,
    lastName: row.last_name,
    names: row.names,
    gender: row.gender,
    speciality: row.speciality,
    addresses: row.addresses,
    languages: row.languages,
    properties: row.properties,
  };
}

function parametersOf(columns: PractitionerColumns): { names: string[]; values: unknown[] } {
  const fields = Object.keys(COLUMNS) as (keyof PractitionerColumns)[];
  return {
    names: fields.map((field) => COLUMNS[field]),
    values: fields.map((field) => (JSON_COLUMNS.has(field) ? JSON.stringify(columns[field]) : columns[field])),
  };
}

@Injectable()
export class PractitionersRepository {
  constructor(private readonly tx: TransactionHost) {}

  async insert(id: string, created: number, columns: PractitionerColumns): Promise<Practitioner> {
    const { names, values } = parametersOf(columns);
    const rows = await this.tx.query(
      `INSERT INTO practitioners (id, created, ${names.join(', ')}) VALUES ($1, $2, ${names.map((_, i) => `$${i + 3}`).join(', ')})
       RETURNING *`,
      [id, created, ...values],
    );
    return toPractitioner(rows[0]);
  }

  async findById(id: string): Promise<Practitioner | null> {
    const rows = await this.tx.query('SELECT * FROM practitioners WHERE id = $1 AND deletion_date IS NULL', [id]);
    return rows.length ? toPractitioner(rows[0]) : null;
  }

  async exists(id: string): Promise<boolean> {
    const rows = await this.tx.query('SELECT 1 FROM practitioners WHERE id = $1 AND deletion_date IS NULL', [id]);
    return rows.length > 0;
  }

  /** Those of `ids` that name a live practitioner. */
  async liveIds(ids: string[]): Promise<string[]> {
    const rows: { id: string }[] = await this.tx.query(
      'SELECT id FROM practitioners WHERE id = ANY($1::uuid[]) AND deletion_date IS NULL',
      [ids],
    );
    return rows.map((row) => row.id);
  }

  /** Writes every column only if the row is live and still at `expectedRev`; null when it is not. */
  async replaceIfRev(id: string, expectedRev: string, columns: PractitionerColumns): Promise<Practitioner | null> {
    const { names, values } = parametersOf(columns);
    const [rows] = await this.tx.query(
      `UPDATE practitioners SET ${names.map((name, i) => `${name} = $${i + 3}`).join(', ')}
       WHERE id = $1 AND rev = $2 AND deletion_date IS NULL RETURNING *`,
      [id, expectedRev, ...values],
    );
    return rows.length ? toPractitioner(rows[0]) : null;
  }

  async softDelete(id: string, now: number): Promise<{ id: string; rev: string } | null> {
    const [rows] = await this.tx.query(
      `UPDATE practitioners SET deletion_date = $2, modified = $2, rev = ${NEXT_REV_SQL}
       WHERE id = $1 AND deletion_date IS NULL RETURNING id, rev`,
      [id, now],
    );
    return rows.length ? { id: rows[0].id, rev: rows[0].rev } : null;
  }

  /** Live practitioners by id (keyset), optionally those whose family-first or given-first name starts with `namePrefix`. */
  async filter(query: { namePrefix?: string }, limit: number, cursor?: string): Promise<Page<Practitioner>> {
    const sql = new SqlBuilder('deletion_date IS NULL');
    if (query.namePrefix !== undefined) sql.where('(family_first_key LIKE ? OR given_first_key LIKE ?)', prefixPattern(query.namePrefix));
    const [afterId] = (decodeCursor(cursor, ['string']) ?? []) as string[];
    if (afterId !== undefined) sql.where('id > ?::uuid', afterId);
    const rows = await this.tx.query(
      `SELECT * FROM practitioners ${sql.whereClause} ORDER BY id LIMIT ${sql.param(limit + 1)}`,
      sql.params,
    );
    return toPage(rows.map(toPractitioner), limit, (practitioner) => [practitioner.id]);
  }
}
