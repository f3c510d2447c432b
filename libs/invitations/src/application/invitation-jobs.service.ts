import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { AuditTrail, Principal } from '@careid/identity';
import { encodeCursor, Page, TransactionHost } from '@careid/shared';
import { invitationsError } from '../domain/invitations.errors';
import { InvitationJob, InvitationJobOptions, InvitationJobsRepository } from '../infrastructure/invitation-jobs.repository';
import { InvitationJobsWorker } from './invitation-jobs.worker';
import { PatientInvitationsService } from './patient-invitations.service';

export interface BulkInvitationInput extends InvitationJobOptions {
  patientIds: string[];
}

export interface InvitationJobSummary {
  id: string;
  status: 'RUNNING' | 'DONE';
  total: number;
  invited: number;
  skippedCount: number;
  created: number;
  modified: number;
  finished: number | null;
}

/** A single job's answer: its progress and the patients skipped so far, with why. */
export interface InvitationJobView extends InvitationJobSummary {
  skipped: { patientId: string; code: string }[];
}

function toView(job: InvitationJob): InvitationJobSummary {
  const { id, status, total, invited, skippedCount, created, modified, finished } = job;
  return { id, status, total, invited, skippedCount, created, modified, finished };
}

/** Jobs are for those who invite: practitioners (their own jobs) and admins (every job). */
function assertInviter(actor: Principal): void {
  if (!actor.isAdmin && !actor.healthcarePartyId) throw invitationsError('PRACTITIONERS_ONLY');
}

/**
 * Bulk patient invitations (POST /patients/invite): the request checks what
 * does not depend on the patient and stores the job with its patients; the
 * worker (InvitationJobsWorker) then invites each patient as the single
 * invite does, batch by batch, and the job shows its progress meanwhile.
 */
@Injectable()
export class InvitationJobsService {
  constructor(
    private readonly tx: TransactionHost,
    private readonly jobs: InvitationJobsRepository,
    private readonly invitations: PatientInvitationsService,
    private readonly worker: InvitationJobsWorker,
    private readonly audit: AuditTrail,
  ) {}

  async start(input: BulkInvitationInput, actor: Principal): Promise<{ id: string; status: 'RUNNING' }> {
    assertInviter(actor);
    const { patientIds, ...options } = input;
    await this.invitations.commonParts(options, actor);
    // A patient named twice is invited once.
    const patients = [...new Set(patientIds.map((id) => id.toLowerCase()))];
    const id = randomUUID();
    await this.tx.run(async () => {
      await this.jobs.insert({ id, createdBy: actor.userId, options, now: Date.now() }, patients);
      await this.audit.record({
        type: 'INVITATION_JOB_STARTED',
        targetType: 'InvitationJob',
        targetId: id,
        details: { total: patients.length },
      });
      this.tx.afterCommit(() => this.worker.wake());
    });
    return { id, status: 'RUNNING' };
  }

  /** A job the caller started (any job for an admin), with the patients skipped so far; 404 for anyone else's. */
  async get(id: string, actor: Principal): Promise<InvitationJobView> {
    assertInviter(actor);
    const job = await this.jobs.findById(id);
    if (!job || (!actor.isAdmin && job.createdBy !== actor.userId)) throw invitationsError('INVITATION_JOB_NOT_FOUND');
    return { ...toView(job), skipped: await this.jobs.skippedOf(id) };
  }

  /** The caller's jobs (every job for an admin), newest first. */
  async list(actor: Principal, page: { limit: number; cursor?: string }): Promise<Page<InvitationJobSummary>> {
    assertInviter(actor);
    const rows = await this.jobs.page({ createdBy: actor.isAdmin ? undefined : actor.userId, ...page });
    const more = rows.length > page.limit;
    const shown = more ? rows.slice(0, page.limit) : rows;
    const last = shown[shown.length - 1];
    return { rows: shown.map(toView), nextCursor: more ? encodeCursor([last.created, last.id]) : null };
  }
}
