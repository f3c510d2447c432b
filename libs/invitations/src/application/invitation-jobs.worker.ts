import { randomUUID } from 'node:crypto';
import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { AuditTrail, Credentials, Principal } from '@careid/identity';
import {
  AppConfigService,
  BackgroundPacing,
  DomainError,
  requestContext,
  STATUS_BY_KIND,
  TransactionHost,
  translateDatabaseError,
} from '@careid/shared';
import { INVITED, InvitationJob, InvitationJobsRepository, ItemOutcome } from '../infrastructure/invitation-jobs.repository';
import { PatientInvitationBatches } from './patient-invitation-batches';
import { PatientInvitationsService } from './patient-invitations.service';
import { WorkerPasses } from './worker-passes';

/** Patients invited per transaction. */
export const JOB_BATCH_SIZE = 100;
/** Patients invited per transaction while the API is busy (BackgroundPacing): short steps, so requests never wait long. */
const BUSY_BATCH_SIZE = 20;
/** How long a worker holds a job without renewing its lease (each batch renews it); then another instance may take it over. */
export const JOB_LEASE_MS = 10_000;
/** The skip code of a patient whose invite failed for a reason that is no precondition (logged with the job). */
const INVITATION_FAILED = 'INVITATION_FAILED';
/** The skip code of the patients left when the job's author can no longer act (disabled or deleted meanwhile). */
const INVITER_UNAVAILABLE = 'INVITER_UNAVAILABLE';

type BatchOutcome = 'more' | 'done' | 'lost';

/** A batch of a job: the next `size` patients, invited on behalf of `actor` (null: the author can no longer act). */
interface Batch {
  job: InvitationJob;
  actor: Principal | null;
  size: number;
}

/** A patient of a batch run without savepoints could not be invited: the batch is rolled back and run again with them. */
class RunWithSavepoints extends Error {}

/**
 * Runs bulk invitation jobs: claims a running job no live worker holds (a
 * lease renewed by every batch; a crashed instance's job is taken over once
 * its lease expires), then invites its patients in batches, each in one
 * transaction: the patients who need nothing but a new user together
 * (PatientInvitationBatches), the others exactly as the single invite does
 * (inside a savepoint when one fails, so that its failure rolls back only
 * that patient); their messages queue in the outbox, and the outcomes and the
 * job's cursor are recorded. A batch commits whole or not at all, so a job resumed
 * after a crash invites no patient twice.
 */
@Injectable()
export class InvitationJobsWorker implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(InvitationJobsWorker.name);
  /** This process, as the owner of the leases it takes. */
  private readonly owner = randomUUID();
  private readonly pollMs: number;
  private timer: NodeJS.Timeout | undefined;
  private readonly passes = new WorkerPasses(
    () => this.runJobs(),
    (error) => this.logger.warn({ err: { message: error.message } }, 'Invitation job pass failed; will retry'),
  );

  constructor(
    private readonly tx: TransactionHost,
    private readonly jobs: InvitationJobsRepository,
    private readonly invitations: PatientInvitationsService,
    private readonly batches: PatientInvitationBatches,
    private readonly credentials: Credentials,
    private readonly audit: AuditTrail,
    private readonly pacing: BackgroundPacing,
    @Inject(ConfigService) config: AppConfigService,
  ) {
    this.pollMs = config.get('messaging', { infer: true }).outboxPollMs;
  }

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => this.wake(), this.pollMs);
    this.timer.unref();
    this.wake();
  }

  /** Stops after the batch under way and gives its job back, so that another instance goes on at once. */
  async beforeApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.passes.stop();
  }

  /** Runs every job that needs a worker (also called on a timer and when a job is created). */
  wake(): void {
    this.passes.wake();
  }

  private async runJobs(): Promise<void> {
    while (!this.passes.isStopped) {
      const job = await this.jobs.claimRunnable(this.owner, Date.now(), JOB_LEASE_MS);
      if (!job) return;
      try {
        await this.runJob(job);
      } finally {
        if (this.passes.isStopped) await this.jobs.releaseLease(job.id, this.owner);
      }
    }
  }

  private async runJob(job: InvitationJob): Promise<void> {
    // As the guard would see the author now: a user disabled or deleted meanwhile invites no one more.
    const actor = await this.credentials.principalOf(job.createdBy);
    const context = { requestId: `invitation-job-${job.id}`, actorId: job.createdBy, actorLogin: actor?.login };
    const pacer = this.pacing.pacer();
    let outcome: BatchOutcome = 'more';
    let size = JOB_BATCH_SIZE;
    while (!this.passes.isStopped && outcome === 'more') {
      const batch = { job, actor, size };
      outcome = await requestContext.run(context, () =>
        this.runBatch(batch, false).catch((error: unknown) => {
          if (error instanceof RunWithSavepoints) return this.runBatch(batch, true);
          throw error;
        }),
      );
      size = (await pacer.endStep()) ? BUSY_BATCH_SIZE : JOB_BATCH_SIZE;
    }
    if (outcome === 'done') this.logger.log({ jobId: job.id }, 'Invitation job done');
  }

  /**
   * One batch in one transaction: the lease renewed (and the job locked), its patients invited, outcomes and cursor
   * recorded. First without savepoints (two statements less per patient); a batch where a patient fails runs again
   * with a savepoint per patient, so that the failure takes back only what that patient wrote.
   */
  private runBatch(batch: Batch, withSavepoints: boolean): Promise<BatchOutcome> {
    const { job, actor, size } = batch;
    return this.tx.run(async () => {
      const current = await this.jobs.renewLease(job.id, this.owner, Date.now(), JOB_LEASE_MS);
      if (!current) return 'lost';
      const items = await this.jobs.items(job.id, current.nextPosition, size);
      const invited = actor && !withSavepoints ? await this.inviteNew(job, items, actor) : new Set<string>();
      const outcomes: ItemOutcome[] = [];
      for (const item of items) {
        const outcome = !actor
          ? INVITER_UNAVAILABLE
          : invited.has(item.patientId)
            ? INVITED
            : withSavepoints
              ? await this.inviteOne(job, item.patientId, actor)
              : await this.inviteFast(job, item.patientId, actor);
        outcomes.push({ position: item.position, outcome });
      }
      // The last batch is short (or the job has no patient left where its total expected one: done all the same).
      const done = items.length < size || current.nextPosition + outcomes.length >= current.total;
      await this.jobs.recordBatch(job.id, outcomes, Date.now(), done);
      return done ? 'done' : 'more';
    });
  }

  /** The patients of the batch who need nothing but a new user, invited together (PatientInvitationBatches). */
  private async inviteNew(job: InvitationJob, items: { patientId: string }[], actor: Principal): Promise<Set<string>> {
    try {
      return await this.batches.inviteNew(
        items.map((item) => item.patientId),
        job.options,
        actor,
      );
    } catch {
      throw new RunWithSavepoints();
    }
  }

  private async inviteFast(job: InvitationJob, patientId: string, actor: Principal): Promise<string> {
    try {
      await this.invitations.inviteExistingPatient(patientId, job.options, actor);
      return INVITED;
    } catch {
      throw new RunWithSavepoints();
    }
  }

  /** Invites one patient as POST /patients/:id/invite does, inside a savepoint; returns INVITED or the code it is skipped with. */
  private async inviteOne(job: InvitationJob, patientId: string, actor: Principal): Promise<string> {
    await this.jobs.savepoint();
    try {
      await this.invitations.inviteExistingPatient(patientId, job.options, actor);
      await this.jobs.releaseSavepoint();
      return INVITED;
    } catch (error) {
      // A broken connection fails this rollback too, and with it the batch (retried whole later).
      await this.jobs.rollbackToSavepoint();
      const refusal = error instanceof DomainError ? error : translateDatabaseError(error);
      if (refusal && STATUS_BY_KIND[refusal.kind] >= 500) throw refusal; // an outage or a timeout: the whole batch again, later
      if (!refusal) {
        this.logger.error({ jobId: job.id, patientId, err: { message: (error as Error).message } }, 'Inviting a patient of a job failed');
      }
      const code = refusal?.code ?? INVITATION_FAILED;
      // The rollback took back what the attempt wrote, its audit records too: the skip itself is on the trail.
      const details = { jobId: job.id, code };
      await this.audit.record({
        type: 'PATIENT_INVITATION_SKIPPED',
        outcome: 'failure',
        targetType: 'Patient',
        targetId: patientId,
        details,
      });
      return code;
    }
  }
}
