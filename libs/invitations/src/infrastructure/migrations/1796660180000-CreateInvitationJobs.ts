import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Bulk invitations (POST /patients/invite): a job holds its patients as items in the order given, and the position
 * of the next one to invite. Each batch of patients is invited in one transaction that also records the batch's
 * outcomes and moves `next_position`, so a job resumed after a crash never invites a patient twice. A worker holds a
 * job through a lease (`lease_owner`, `lease_until`), renewed by every batch, so two instances never run one job.
 */
export class CreateInvitationJobs1796660180000 implements MigrationInterface {
  name = 'CreateInvitationJobs1796660180000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE invitation_jobs (
        id uuid NOT NULL,
        created_by uuid NOT NULL,
        status text NOT NULL DEFAULT 'RUNNING',
        options jsonb NOT NULL,
        total integer NOT NULL,
        next_position integer NOT NULL DEFAULT 0,
        invited integer NOT NULL DEFAULT 0,
        skipped integer NOT NULL DEFAULT 0,
        lease_owner uuid,
        lease_until bigint,
        created bigint NOT NULL,
        modified bigint NOT NULL,
        finished bigint,
        CONSTRAINT invitation_jobs_pkey PRIMARY KEY (id),
        CONSTRAINT invitation_jobs_status_check CHECK (status IN ('RUNNING', 'DONE')),
        CONSTRAINT invitation_jobs_progress_check CHECK (next_position BETWEEN 0 AND total AND invited + skipped = next_position)
      )`);
    await db.query(`CREATE INDEX ix_invitation_jobs_running ON invitation_jobs (created) WHERE status = 'RUNNING'`);
    await db.query(`CREATE INDEX ix_invitation_jobs_created ON invitation_jobs (created, id)`);
    await db.query(`CREATE INDEX ix_invitation_jobs_created_by ON invitation_jobs (created_by, created, id)`);
    await db.query(`
      CREATE TABLE invitation_job_items (
        job_id uuid NOT NULL,
        position integer NOT NULL,
        patient_id uuid NOT NULL,
        outcome text,
        CONSTRAINT invitation_job_items_pkey PRIMARY KEY (job_id, position),
        CONSTRAINT invitation_job_items_job_id_fkey FOREIGN KEY (job_id) REFERENCES invitation_jobs (id) ON DELETE CASCADE
      )`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE invitation_job_items`);
    await db.query(`DROP TABLE invitation_jobs`);
  }
}
