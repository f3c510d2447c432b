import { Client } from 'pg';
import { createPatient } from './care';
import { HttpClient } from './http';
import { unique } from './session';

/**
 * `count` patients of a practitioner, each with its own email `<prefix>-<n>@bulk.test` (n from 1): one made through
 * the API, the others SQL copies of it (as bench/lib/database.ts seeds the bench), each with a delegation to the
 * practitioner. Thousands of patients through the API would take minutes; a copy is the same row the API wrote.
 */
export async function seedPatientsWithEmails(
  practitioner: HttpClient,
  practitionerId: string,
  databaseUrl: string,
  count: number,
): Promise<{ ids: string[]; emails: string[] }> {
  const prefix = unique('bulk');
  const template = await createPatient(practitioner, { email: `${prefix}-0@bulk.test` }, { firstName: 'Argan', lastName: 'Template' });
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query('BEGIN');
    await client.query(
      `CREATE TEMP TABLE new_patients ON COMMIT DROP AS SELECT gen_random_uuid() AS id, n FROM generate_series(1, $1::int) AS n`,
      [count],
    );
    await client.query(`INSERT INTO data_owners (id, kind) SELECT id, 'patient' FROM new_patients`);
    await client.query(
      `INSERT INTO patients (id, rev, created, modified, author, responsible, ssin, date_of_birth, family_first_key, given_first_key, document, system_meta_data)
       SELECT b.id, t.rev, t.created, t.modified, t.author, t.responsible, t.ssin, t.date_of_birth, t.family_first_key, t.given_first_key,
              replace(replace(t.document::text, $2 || '-0@', $2 || '-' || b.n || '@'), 'Template', 'Patient' || b.n)::json, t.system_meta_data
       FROM new_patients b CROSS JOIN patients t WHERE t.id = $1`,
      [template.id, prefix],
    );
    await client.query(`INSERT INTO patient_delegations (data_owner_id, patient_id) SELECT $1, id FROM new_patients`, [practitionerId]);
    const made = await client.query<{ id: string; n: number }>('SELECT id, n FROM new_patients ORDER BY n');
    await client.query('COMMIT');
    await client.query('ANALYZE patients, patient_delegations');
    return { ids: made.rows.map((row) => row.id), emails: made.rows.map((row) => `${prefix}-${row.n}@bulk.test`) };
  } finally {
    await client.end();
  }
}
