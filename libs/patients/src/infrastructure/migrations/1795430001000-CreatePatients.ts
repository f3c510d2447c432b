import { MigrationInterface, QueryRunner } from 'typeorm';

export class CreatePatients1795430001000 implements MigrationInterface {
  name = 'CreatePatients1795430001000';

  async up(db: QueryRunner): Promise<void> {
    // Indexed and server-managed fields are columns; the rest of what a client writes is one JSON document.
    // Client JSON is \`json\`, not \`jsonb\`: it is never queried inside, and reads give it back in the order it was written.
    await db.query(`
      CREATE TABLE patients (
        id uuid PRIMARY KEY,
        rev text NOT NULL,
        created bigint NOT NULL,
        modified bigint NOT NULL,
        deletion_date bigint,
        author uuid,
        responsible uuid,
        ssin text,
        date_of_birth integer CONSTRAINT ck_patients_date_of_birth CHECK (date_of_birth BETWEEN 10000101 AND 99991231),
        family_first_key text NOT NULL,
        given_first_key text NOT NULL,
        document json NOT NULL,
        system_meta_data jsonb NOT NULL
      )`);
    await db.query(`CREATE INDEX ix_patients_family_first_key ON patients (family_first_key text_pattern_ops) WHERE deletion_date IS NULL`);
    await db.query(`CREATE INDEX ix_patients_given_first_key ON patients (given_first_key text_pattern_ops) WHERE deletion_date IS NULL`);
    await db.query(`CREATE INDEX ix_patients_ssin ON patients (ssin) WHERE deletion_date IS NULL`);
    await db.query(`CREATE INDEX ix_patients_date_of_birth ON patients (date_of_birth, id) WHERE deletion_date IS NULL`);

    // Who may read a patient: "patients of data owner X after id C" is a range scan of the primary key.
    await db.query(`
      CREATE TABLE patient_delegations (
        data_owner_id uuid NOT NULL,
        patient_id uuid NOT NULL REFERENCES patients (id) ON DELETE CASCADE,
        CONSTRAINT pk_patient_delegations PRIMARY KEY (data_owner_id, patient_id)
      )`);
    await db.query(`CREATE INDEX ix_patient_delegations_patient ON patient_delegations (patient_id, data_owner_id)`);

    // Data samples and healthcare elements: one table, the kind telling them apart.
    await db.query(`
      CREATE TABLE medical_records (
        id uuid PRIMARY KEY,
        kind text NOT NULL CONSTRAINT ck_medical_records_kind CHECK (kind IN ('DataSample', 'HealthcareElement')),
        patient_id uuid NOT NULL REFERENCES patients (id),
        rev text NOT NULL,
        created bigint NOT NULL,
        modified bigint NOT NULL,
        deletion_date bigint,
        author uuid,
        responsible uuid,
        content json NOT NULL,
        codes json NOT NULL DEFAULT '{}',
        tags json NOT NULL DEFAULT '{}',
        opening_date bigint,
        closing_date bigint,
        CONSTRAINT ck_medical_records_dates_of_elements CHECK (kind = 'HealthcareElement' OR (opening_date IS NULL AND closing_date IS NULL)),
        CONSTRAINT ck_medical_records_closing_after_opening CHECK (closing_date IS NULL OR opening_date IS NULL OR closing_date >= opening_date)
      )`);
    await db.query(`CREATE INDEX ix_medical_records_patient ON medical_records (patient_id, kind, id) WHERE deletion_date IS NULL`);

    await db.query(`
      CREATE TABLE medical_record_delegations (
        data_owner_id uuid NOT NULL,
        record_id uuid NOT NULL REFERENCES medical_records (id) ON DELETE CASCADE,
        CONSTRAINT pk_medical_record_delegations PRIMARY KEY (data_owner_id, record_id)
      )`);
    await db.query(`CREATE INDEX ix_medical_record_delegations_record ON medical_record_delegations (record_id, data_owner_id)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE medical_record_delegations`);
    await db.query(`DROP TABLE medical_records`);
    await db.query(`DROP TABLE patient_delegations`);
    await db.query(`DROP TABLE patients`);
  }
}
