import { Injectable } from '@nestjs/common';
import { decodeCursor, NEXT_REV_SQL, Page, toPage, TransactionHost, SqlBuilder } from '@careid/shared';
import type { ReadScope } from '../domain/access-rules';
import type { MedicalRecord, RecordKind } from '../domain/medical-record';

/** What a write of the client's fields sets. */
export interface MedicalRecordColumns {
  rev: string;
  modified: number;
  content: unknown;
  codes: Record<string, unknown>;
  tags: Record<string, unknown>;
  openingDate: number | null;
  closingDate: number | null;
}

export interface NewMedicalRecord extends MedicalRecordColumns {
  id: string;
  kind: RecordKind;
  patientId: string;
  created: number;
  author: string | null;
  responsible: string | null;
}

const SELECT_RECORD = `
  SELECT r.*, ARRAY(SELECT d.data_owner_id::text FROM medical_record_delegations d WHERE d.record_id = r.id ORDER BY 1) AS delegations`;

function toRecord(row: Record<string, any>): MedicalRecord {
  const number = (value: unknown) => (value === null || value === undefined ? null : Number(value));
  return {
    id: row.id,
    kind: row.kind,
    patientId: row.patient_id,
    rev: row.rev,
    created: Number(row.created),
    modified: Number(row.modified),
    deletionDate: number(row.deletion_date),
    author: row.author,
    responsible: row.responsible,
    content: row.content,
    codes: row.codes,
    tags: row.tags,
    openingDate: number(row.opening_date),
    closingDate: number(row.closing_date),
    delegations: row.delegations,
  };
}

/** SQL for data samples and healthcare elements and their delegations (join table: data owner → record). */
@Injectable()
export class MedicalRecordsRepository {
  constructor(private readonly tx: TransactionHost) {}

  async insert(record: NewMedicalRecord, delegates: string[]): Promise<MedicalRecord> {
    await this.tx.query(
      `INSERT INTO medical_records (id, kind, patient_id, rev, created, modified, author, responsible, content, codes, tags,
         opening_date, closing_date)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
      [
        record.id,
        record.kind,
        record.patientId,
        record.rev,
        record.created,
        record.modified,
        record.author,
        record.responsible,
        JSON.stringify(record.content),
        JSON.stringify(record.codes),
        JSON.stringify(record.tags),
        record.openingDate,
        record.closingDate,
      ],
    );
    await this.tx.query(
      `INSERT INTO medical_record_delegations (data_owner_id, record_id) SELECT unnest($1::uuid[]), $2 ON CONFLICT DO NOTHING`,
      [delegates, record.id],
    );
    return (await this.findById(record.kind, record.id))!;
  }

  async findById(kind: RecordKind, id: string): Promise<MedicalRecord | null> {
    const rows = await this.tx.query(
      `${SELECT_RECORD} FROM medical_records r WHERE r.id = $1 AND r.kind = $2 AND r.deletion_date IS NULL`,
      [id, kind],
    );
    return rows.length ? toRecord(rows[0]) : null;
  }

  /** Writes the client's fields only if the record is live and still at `expectedRev`; false when it is not. */
  async replaceIfRev(kind: RecordKind, id: string, expectedRev: string, columns: MedicalRecordColumns): Promise<boolean> {
    const [, count] = await this.tx.query(
      `UPDATE medical_records SET rev = $4, modified = $5, content = $6, codes = $7, tags = $8, opening_date = $9, closing_date = $10
       WHERE id = $1 AND kind = $2 AND rev = $3 AND deletion_date IS NULL`,
      [
        id,
        kind,
        expectedRev,
        columns.rev,
        columns.modified,
        JSON.stringify(columns.content),
        JSON.stringify(columns.codes),
        JSON.stringify(columns.tags),
        columns.openingDate,
        columns.closingDate,
      ],
    );
    return count > 0;
  }

  async softDelete(kind: RecordKind, id: string, now: number): Promise<{ id: string; rev: string } | null> {
    const [rows] = await this.tx.query(
      `UPDATE medical_records SET deletion_date = $3, modified = $3, rev = ${NEXT_REV_SQL}
       WHERE id = $1 AND kind = $2 AND deletion_date IS NULL RETURNING id, rev`,
      [id, kind, now],
    );
    return rows.length ? { id: rows[0].id, rev: rows[0].rev } : null;
  }

  /**
   * Live records of one kind in `scope`, keyset-paginated by id. For one
   * patient the patient's records are scanned and each checked against the
   * delegations; otherwise the data owner's delegations are range-scanned.
   */
  async filter(
    kind: RecordKind,
    scope: ReadScope,
    query: { patientId?: string },
    limit: number,
    cursor?: string,
  ): Promise<Page<MedicalRecord>> {
    if (!scope.everything && !scope.dataOwnerId) return { rows: [], nextCursor: null };
    const sql = new SqlBuilder('r.deletion_date IS NULL');
    sql.where('r.kind = ?', kind);
    if (!scope.everything && scope.patientId !== null) sql.where('r.patient_id = ?', scope.patientId);
    const [afterId] = (decodeCursor(cursor, ['string']) ?? []) as string[];
    let from = 'FROM medical_records r';
    let key = 'r.id';
    if (query.patientId !== undefined) {
      sql.where('r.patient_id = ?', query.patientId);
      if (!scope.everything) {
        sql.where(
          'EXISTS (SELECT 1 FROM medical_record_delegations own WHERE own.record_id = r.id AND own.data_owner_id = ?)',
          scope.dataOwnerId,
        );
      }
    } else if (!scope.everything) {
      from = `FROM medical_record_delegations own JOIN medical_records r ON r.id = own.record_id AND own.data_owner_id = ${sql.param(scope.dataOwnerId)}`;
      key = 'own.record_id';
    }
    if (afterId !== undefined) sql.where(`${key} > ?::uuid`, afterId);
    const rows = await this.tx.query(
      `${SELECT_RECORD} ${from} ${sql.whereClause} ORDER BY ${key} LIMIT ${sql.param(limit + 1)}`,
      sql.params,
    );
    return toPage(rows.map(toRecord), limit, (record) => [record.id]);
  }

  /**
   * Adds `dataOwnerId` as delegate to every live record of the given kinds of
   * the patient that `scope` can read, bumping the rev of each record that gained it. Returns
   * those records: a record already delegated is left alone, so concurrent
   * grants never count one twice.
   */
  async addDelegateToRecordsOfPatient(
    patientId: string,
    dataOwnerId: string,
    kinds: readonly RecordKind[],
    scope: ReadScope,
    now: number,
  ): Promise<{ id: string; kind: RecordKind }[]> {
    if (!scope.everything && !scope.dataOwnerId) return [];
    const readable = scope.everything
      ? ''
      : 'AND EXISTS (SELECT 1 FROM medical_record_delegations own WHERE own.record_id = r.id AND own.data_owner_id = $5)';
    const [rows] = await this.tx.query(
      `WITH granted AS (
         INSERT INTO medical_record_delegations (data_owner_id, record_id)
         SELECT $2::uuid, r.id FROM medical_records r
         WHERE r.patient_id = $1 AND r.kind = ANY($4::text[]) AND r.deletion_date IS NULL ${readable}
         ORDER BY r.id
         ON CONFLICT DO NOTHING
         RETURNING record_id
       )
       UPDATE medical_records r SET rev = ${NEXT_REV_SQL}, modified = $3 FROM granted g WHERE r.id = g.record_id
       RETURNING r.id, r.kind`,
      scope.everything ? [patientId, dataOwnerId, now, kinds] : [patientId, dataOwnerId, now, kinds, scope.dataOwnerId],
    );
    return rows;
  }
}
