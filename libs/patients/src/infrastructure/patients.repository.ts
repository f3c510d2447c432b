import { Injectable } from '@nestjs/common';
import { decodeCursor, NEXT_REV_SQL, Page, prefixPattern, preparedStatement, toPage, TransactionHost, SqlBuilder } from '@careid/shared';
import type { ReadScope } from '../domain/access-rules';
import { emptySystemMetaData, type Patient, type PatientDocument, type SystemMetaData } from '../domain/patient';

/** What a write of the client's fields sets. */
export interface PatientColumns {
  rev: string;
  modified: number;
  ssin: string | null;
  dateOfBirth: number | null;
  familyFirstKey: string;
  givenFirstKey: string;
  document: PatientDocument;
}

/** What only creation sets. */
export interface NewPatient extends PatientColumns {
  id: string;
  created: number;
  author: string | null;
  responsible: string | null;
  systemMetaData: SystemMetaData;
}

export interface PatientQuery {
  namePrefix?: string;
  ssin?: string;
  dateOfBirth?: number;
}

// One round trip per read: the delegates come along, in a stable order. (The bench's bare baseline runs it too.)
// Columns by name, not p.*: the read by id is a prepared statement (see PreparedStatement).
export const SELECT_PATIENT = `
  SELECT p.id, p.rev, p.created, p.modified, p.deletion_date, p.author, p.responsible, p.ssin, p.date_of_birth, p.document,
    p.system_meta_data, ARRAY(SELECT d.data_owner_id::text FROM patient_delegations d WHERE d.patient_id = p.id ORDER BY 1) AS delegations`;

export const PATIENT_BY_ID = preparedStatement(
  'patients.by-id',
  `${SELECT_PATIENT} FROM patients p WHERE p.id = $1 AND p.deletion_date IS NULL`,
);

export function toPatient(row: Record<string, any>): Patient {
  return {
    ...(row.document as PatientDocument),
    id: row.id,
    rev: row.rev,
    created: Number(row.created),
    modified: Number(row.modified),
    deletionDate: row.deletion_date === null ? null : Number(row.deletion_date),
    author: row.author,
    responsible: row.responsible,
    ssin: row.ssin,
    dateOfBirth: row.date_of_birth,
    // jsonb keeps its keys in its own order: spread over the empty shape to show iCure's.
    systemMetaData: { ...emptySystemMetaData(), ...row.system_meta_data },
    delegations: row.delegations,
  };
}

/** SQL for patients and their delegations (join table: data owner → patient). */
@Injectable()
export class PatientsRepository {
  constructor(private readonly tx: TransactionHost) {}

  async insert(patient: NewPatient, delegates: string[]): Promise<Patient> {
    await this.tx.query(
      `INSERT INTO patients (id, rev, created, modified, author, responsible, ssin, date_of_birth, family_first_key, given_first_key,
         document, system_meta_data)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
      [
        patient.id,
        patient.rev,
        patient.created,
        patient.modified,
        patient.author,
        patient.responsible,
        patient.ssin,
        patient.dateOfBirth,
        patient.familyFirstKey,
        patient.givenFirstKey,
        JSON.stringify(patient.document),
        JSON.stringify(patient.systemMetaData),
      ],
    );
    await this.tx.query(
      `INSERT INTO patient_delegations (data_owner_id, patient_id) SELECT unnest($1::uuid[]), $2 ON CONFLICT DO NOTHING`,
      [delegates, patient.id],
    );
    return (await this.findById(patient.id))!;
  }

  async findById(id: string): Promise<Patient | null> {
    const rows = await this.tx.query(PATIENT_BY_ID, [id]);
    return rows.length ? toPatient(rows[0]) : null;
  }

  /** The live patients of `ids`, in no particular order. */
  async findByIds(ids: string[]): Promise<Patient[]> {
    const rows = await this.tx.query(`${SELECT_PATIENT} FROM patients p WHERE p.id = ANY($1::uuid[]) AND p.deletion_date IS NULL`, [ids]);
    return rows.map(toPatient);
  }

  async exists(id: string): Promise<boolean> {
    const rows = await this.tx.query('SELECT 1 FROM patients WHERE id = $1 AND deletion_date IS NULL', [id]);
    return rows.length > 0;
  }

  /** Those of `ids` that name a live patient. */
  async liveIds(ids: string[]): Promise<string[]> {
    const rows: { id: string }[] = await this.tx.query('SELECT id FROM patients WHERE id = ANY($1::uuid[]) AND deletion_date IS NULL', [
      ids,
    ]);
    return rows.map((row) => row.id);
  }

  async delegatesOf(id: string): Promise<string[]> {
    const rows: { data_owner_id: string }[] = await this.tx.query(
      `SELECT d.data_owner_id FROM patient_delegations d JOIN patients p ON p.id = d.patient_id
       WHERE d.patient_id = $1 AND p.deletion_date IS NULL ORDER BY 1`,
      [id],
    );
    return rows.map((row) => row.data_owner_id);
  }

  /** Writes the client's fields only if the row is live and still at `expectedRev`; false when it is not. */
  async replaceIfRev(id: string, expectedRev: string, columns: PatientColumns): Promise<boolean> {
    const [, count] = await this.tx.query(
      `UPDATE patients SET rev = $3, modified = $4, ssin = $5, date_of_birth = $6, family_first_key = $7, given_first_key = $8, document = $9
       WHERE id = $1 AND rev = $2 AND deletion_date IS NULL`,
      [
        id,
        expectedRev,
        columns.rev,
        columns.modified,
        columns.ssin,
        columns.dateOfBirth,
        columns.familyFirstKey,
        columns.givenFirstKey,
        JSON.stringify(columns.document),
      ],
    );
    return count > 0;
  }

  async softDelete(id: string, now: number): Promise<{ id: string; rev: string } | null> {
    const [rows] = await this.tx.query(
      `UPDATE patients SET deletion_date = $2, modified = $2, rev = ${NEXT_REV_SQL} WHERE id = $1 AND deletion_date IS NULL RETURNING id, rev`,
      [id, now],
    );
    return rows.length ? { id: rows[0].id, rev: rows[0].rev } : null;
  }

  /**
   * Locks a live patient row until the transaction ends, so that delegation
   * grants on one patient run one after the other (and lock its records in
   * no conflicting order). Record inserts, which only key-share the row, go on.
   */
  async lockLive(id: string): Promise<boolean> {
    const rows = await this.tx.query('SELECT id FROM patients WHERE id = $1 AND deletion_date IS NULL FOR NO KEY UPDATE', [id]);
    return rows.length > 0;
  }

  /** Adds a delegate; when it is new, bumps the patient's rev. Returns whether anything changed. */
  async addDelegate(id: string, dataOwnerId: string, now: number): Promise<boolean> {
    const [rows] = await this.tx.query(
      `WITH granted AS (
         INSERT INTO patient_delegations (data_owner_id, patient_id) VALUES ($2, $1) ON CONFLICT DO NOTHING RETURNING patient_id
       )
       UPDATE patients p SET rev = ${NEXT_REV_SQL}, modified = $3 FROM granted g WHERE p.id = g.patient_id RETURNING p.id`,
      [id, dataOwnerId, now],
    );
    return rows.length > 0;
  }

  /** Appends a public key to systemMetaData (no duplicates), bumping rev. 'missing' when there is no live patient. */
  async addPublicKey(id: string, publicKey: string, now: number): Promise<'added' | 'present' | 'missing'> {
    const [rows] = await this.tx.query(
      `UPDATE patients SET
         system_meta_data = jsonb_set(system_meta_data, '{publicKeysForOaepWithSha256}',
           COALESCE(system_meta_data->'publicKeysForOaepWithSha256', '[]'::jsonb) || to_jsonb($2::text)),
         rev = ${NEXT_REV_SQL}, modified = $3
       WHERE id = $1 AND deletion_date IS NULL AND NOT COALESCE(system_meta_data->'publicKeysForOaepWithSha256', '[]'::jsonb) ? $2
       RETURNING id`,
      [id, publicKey, now],
    );
    if (rows.length) return 'added';
    return (await this.exists(id)) ? 'present' : 'missing';
  }

  /** Live patients in `scope`, keyset-paginated by id; a data owner's list is a range scan of its delegations. */
  async filter(scope: ReadScope, query: PatientQuery, limit: number, cursor?: string): Promise<Page<Patient>> {
    if (!scope.everything && !scope.dataOwnerId) return { rows: [], nextCursor: null };
    const sql = new SqlBuilder('p.deletion_date IS NULL');
    if (query.namePrefix !== undefined)
      sql.where('(p.family_first_key LIKE ? OR p.given_first_key LIKE ?)', prefixPattern(query.namePrefix));
    if (query.ssin !== undefined) sql.where('p.ssin = ?', query.ssin);
    if (query.dateOfBirth !== undefined) sql.where('p.date_of_birth = ?', query.dateOfBirth);
    if (!scope.everything && scope.patientId !== null) sql.where('p.id = ?', scope.patientId);
    const [afterId] = (decodeCursor(cursor, ['string']) ?? []) as string[];
    let from = 'FROM patients p';
    let key = 'p.id';
    if (!scope.everything) {
      from = `FROM patient_delegations own JOIN patients p ON p.id = own.patient_id AND own.data_owner_id = ${sql.param(scope.dataOwnerId)}`;
      key = 'own.patient_id';
    }
    if (afterId !== undefined) sql.where(`${key} > ?::uuid`, afterId);
    const rows = await this.tx.query(
      `${SELECT_PATIENT} ${from} ${sql.whereClause} ORDER BY ${key} LIMIT ${sql.param(limit + 1)}`,
      sql.params,
    );
    return toPage(rows.map(toPatient), limit, (patient) => [patient.id]);
  }
}
