import { Injectable } from '@nestjs/common';
import { decodeCursor, SqlBuilder, TransactionHost } from '@careid/shared';

export interface InvitationJobOptions {
  channel?: 'email' | 'sms';
  tokenValiditySeconds?: number;
  loginUrl?: string;
  solutionName?: string;
  practitionerId?: string;
  message?: { subject?: string; text?: string; html?: string };
}

export interface InvitationJob {
  id: string;
  createdBy: string;
  status: 'RUNNING' | 'DONE';
  options: InvitationJobOptions;
  total: number;
  nextPosition: number;
  invited: number;
  skippedCount: number;
  created: number;
  modified: number;
  finished: number | null;
}

export interface JobItem {
  position: number;
  patientId: string;
}

/** What a batch did to one item: `INVITED`, or the code it was skipped with. */
export interface ItemOutcome {
  position: number;
  outcome: string;
}

export const INVITED = 'INVITED';

const JOB_COLUMNS = `id, created_by, status, options, total, next_position, invited, skipped, created, modified, finished`;

function toJob(row: Record<string, any>): InvitationJob {
  return {
    id: row.id,
    createdBy: row.created_by,
    status: row.status,
    options: row.options,
    total: row.total,
    nextPosition: row.next_position,
    invited: row.invited,
    skippedCount: row.skipped,
    created: Number(row.created),
    modified: Number(row.modified),
    finished: row.finished === null ? null : Number(row.finished),
  };
}

/** The statements of bulk invitation jobs (`invitation_jobs`, `invitation_job_items`). */
@Injectable()
export class InvitationJobsRepository {
  constructor(private readonly tx: TransactionHost) {}

  /** The job and its patients, in the order given (positions 0..n-1), in one statement. */
  async insert(job: { id: string; createdBy: string; options: InvitationJobOptions; now: number }, patientIds: string[]): Promise<void> {
    await this.tx.query(
      `WITH job AS (
         INSERT INTO invitation_jobs (id, created_by, options, total, created, modified) VALUES ($1, $2, $3, $4, $5, $5) RETURNING id
       )
       INSERT INTO invitation_job_items (job_id, position, patient_id)
       SELECT job.id, p.ordinality - 1, p.patient_id FROM job, unnest($6::uuid[]) WITH ORDINALITY AS p(patient_id, ordinality)`,
      [job.id, job.createdBy, JSON.stringify(job.options), patientIds.length, job.now, patientIds],
    );
  }

  async findById(id: string): Promise<InvitationJob | null> {
    const rows = await this.tx.query(`SELECT ${JOB_COLUMNS} FROM invitation_jobs WHERE id = $1`, [id]);
    return rows.length ? toJob(rows[0]) : null;
  }

  /** The patients a job skipped so far, in the order given, with the code of each. */
  async skippedOf(jobId: string): Promise<{ patientId: string; code: string }[]> {
    const rows: { patient_id: string; outcome: string }[] = await this.tx.query(
      `SELECT patient_id, outcome FROM invitation_job_items WHERE job_id = $1 AND outcome <> '${INVITED}' ORDER BY position`,
      [jobId],
    );
    return rows.map((row) => ({ patientId: row.patient_id, code: row.outcome }));
  }

  /** A page of jobs, newest first; only those `createdBy` started when it is given. */
  async page(filter: { createdBy?: string; limit: number; cursor?: string }): Promise<InvitationJob[]> {
    const sql = new SqlBuilder();
    if (filter.createdBy) sql.where('created_by = ?', filter.createdBy);
    const cursor = decodeCursor(filter.cursor, ['number', 'string']) as [number, string] | undefined;
    if (cursor) sql.where(`(created, id) < (?, ${sql.param(cursor[1])}::uuid)`, cursor[0]);
    const rows = await this.tx.query(
      `SELECT ${JOB_COLUMNS} FROM invitation_jobs ${sql.whereClause} ORDER BY created DESC, id DESC LIMIT ${sql.param(filter.limit + 1)}`,
      sql.params,
    );
    return rows.map(toJob);
  }

  /** Leases the oldest running job no live worker holds (its lease expired or it never had one) or `owner` holds, for `owner`. */
  async claimRunnable(owner: string, now: number, leaseMs: number): Promise<InvitationJob | null> {
    const [rows]: [Record<string, any>[], number] = await this.tx.query(
      `UPDATE invitation_jobs SET lease_owner = $1, lease_until = $3
       WHERE id = (SELECT id FROM invitation_jobs WHERE status = 'RUNNING' AND (lease_until IS NULL OR lease_until < $2 OR lease_owner = $1)
                   ORDER BY created LIMIT 1 FOR UPDATE SKIP LOCKED)
       RETURNING ${JOB_COLUMNS}`,
      [owner, now, now + leaseMs],
    );
    return rows.length ? toJob(rows[0]) : null;
  }

  /**
   * In the batch's transaction: renews `owner`'s lease and locks the job until the batch commits; null when the
   * job is no longer `owner`'s (another worker took it over) or no longer running.
   */
  async renewLease(id: string, owner: string, now: number, leaseMs: number): Promise<InvitationJob | null> {
    const [rows]: [Record<string, any>[], number] = await this.tx.query(
      `UPDATE invitation_jobs SET lease_until = $3 WHERE id = $1 AND lease_owner = $2 AND status = 'RUNNING' RETURNING ${JOB_COLUMNS}`,
      [id, owner, now + leaseMs],
    );
    return rows.length ? toJob(rows[0]) : null;
  }

  /** Gives a job back at once (a worker stopping), so that another instance need not wait for the lease to expire. */
  async releaseLease(id: string, owner: string): Promise<void> {
    await this.tx.query(`UPDATE invitation_jobs SET lease_owner = NULL, lease_until = NULL WHERE id = $1 AND lease_owner = $2`, [
      id,
      owner,
    ]);
  }

  async items(jobId: string, fromPosition: number, limit: number): Promise<JobItem[]> {
    const rows: { position: number; patient_id: string }[] = await this.tx.query(
      `SELECT position, patient_id FROM invitation_job_items WHERE job_id = $1 AND position >= $2 ORDER BY position LIMIT $3`,
      [jobId, fromPosition, limit],
    );
    return rows.map((row) => ({ position: row.position, patientId: row.patient_id }));
  }

  /** In the batch's transaction: its outcomes, the job's counters and its cursor, and DONE (lease given up) after the last batch. */
  async recordBatch(jobId: string, outcomes: ItemOutcome[], now: number, done: boolean): Promise<void> {
    const invited = outcomes.filter((o) => o.outcome === INVITED).length;
    await this.tx.query(
      `UPDATE invitation_job_items i SET outcome = o.outcome
       FROM unnest($2::int[], $3::text[]) AS o(position, outcome) WHERE i.job_id = $1 AND i.position = o.position`,
      [jobId, outcomes.map((o) => o.position), outcomes.map((o) => o.outcome)],
    );
    await this.tx.query(
      `UPDATE invitation_jobs SET next_position = next_position + $2, invited = invited + $3, skipped = skipped + $4, modified = $5,
         status = CASE WHEN $6 THEN 'DONE' ELSE status END,
         finished = CASE WHEN $6 THEN $5::bigint END,
         lease_owner = CASE WHEN $6 THEN NULL ELSE lease_owner END,
         lease_until = CASE WHEN $6 THEN NULL ELSE lease_until END
       WHERE id = $1`,
      [jobId, outcomes.length, invited, outcomes.length - invited, now, done],
    );
  }

  /** A savepoint in the batch's transaction: one patient's failure rolls back that patient only. */
  async savepoint(): Promise<void> {
    await this.tx.query('SAVEPOINT invite_patient');
  }

  async releaseSavepoint(): Promise<void> {
    await this.tx.query('RELEASE SAVEPOINT invite_patient');
  }

  async rollbackToSavepoint(): Promise<void> {
    await this.tx.query('ROLLBACK TO SAVEPOINT invite_patient');
  }
}
