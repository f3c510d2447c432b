import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Patients and practitioners get one id space: a patient and a practitioner never have the same id.
 *
 * Ids that already name both a patient and a practitioner stop the migration: each is reported (a WARNING per id),
 * then it fails with all of them, changing nothing. Nothing can tell, for a delegation, a user's autoDelegations or a
 * notification naming such an id, which of the two owners it meant, so keeping either one would be a guess that
 * may hand one owner's data to the other. An operator re-keys one of the two by hand, then starts again.
 */
export class OneIdSpaceForDataOwners1796200000000 implements MigrationInterface {
  name = 'OneIdSpaceForDataOwners1796200000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      DO $$
      DECLARE
        colliding uuid[] := ARRAY(SELECT p.id FROM patients p JOIN practitioners h ON h.id = p.id ORDER BY p.id);
        owner_id uuid;
      BEGIN
        IF cardinality(colliding) = 0 THEN RETURN; END IF;
        FOREACH owner_id IN ARRAY colliding LOOP
          RAISE WARNING 'data owner id % names both a patient and a practitioner', owner_id;
        END LOOP;
        RAISE EXCEPTION 'Patients and practitioners share % id(s): %', cardinality(colliding), array_to_string(colliding, ', ')
          USING HINT = 'Give one of each pair a new id (with every delegation, user and notification meant for it), then migrate again.';
      END $$`);
    await db.query(`
      CREATE TABLE data_owners (
        id uuid PRIMARY KEY,
        kind text NOT NULL CONSTRAINT ck_data_owners_kind CHECK (kind IN ('patient', 'practitioner'))
      )`);
    await db.query(`INSERT INTO data_owners (id, kind) SELECT id, 'practitioner' FROM practitioners`);
    await db.query(`INSERT INTO data_owners (id, kind) SELECT id, 'patient' FROM patients`);
    await db.query(`ALTER TABLE practitioners ADD CONSTRAINT fk_practitioners_data_owner FOREIGN KEY (id) REFERENCES data_owners (id)`);
    await db.query(`ALTER TABLE patients ADD CONSTRAINT fk_patients_data_owner FOREIGN KEY (id) REFERENCES data_owners (id)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE patients DROP CONSTRAINT fk_patients_data_owner`);
    await db.query(`ALTER TABLE practitioners DROP CONSTRAINT fk_practitioners_data_owner`);
    await db.query(`DROP TABLE data_owners`);
  }
}
