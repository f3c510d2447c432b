import { Logger } from '@nestjs/common';
import type { Principal } from '@careid/identity';
import { invitationsError } from '../domain/invitations.errors';
import type { ItemOutcome } from '../infrastructure/invitation-jobs.repository';
import { InvitationJobsWorker } from './invitation-jobs.worker';

const actor = { userId: 'author', login: 'doctor', healthcarePartyId: 'hcp', isAdmin: false } as unknown as Principal;
const job = { id: 'job-1', createdBy: 'author', options: {} };

/** A worker whose job has patients a and b, and whose collaborators record what they are asked. */
function workerWith(inviteNew: () => Promise<Set<string>>) {
  const recorded: ItemOutcome[][] = [];
  const statements: string[] = [];
  let claimed = false;
  const jobs = {
    claimRunnable: async () => (claimed ? null : ((claimed = true), job)),
    renewLease: async () => ({ nextPosition: 0, total: 2 }),
    items: async () => [
      { position: 0, patientId: 'a' },
      { position: 1, patientId: 'b' },
    ],
    recordBatch: async (_id: string, outcomes: ItemOutcome[]) => void recorded.push(outcomes),
    savepoint: async () => void statements.push('SAVEPOINT'),
    releaseSavepoint: async () => void statements.push('RELEASE'),
    rollbackToSavepoint: async () => void statements.push('ROLLBACK TO'),
    releaseLease: async () => undefined,
  };
  const single = {
    inviteExistingPatient: jest.fn(async (patientId: string) => {
      statements.push(`invite ${patientId}`);
      if (patientId === 'b') throw invitationsError('EMAIL_ALREADY_USED');
    }),
  };
  const worker = new InvitationJobsWorker(
    { run: (work: () => Promise<unknown>) => work() } as never,
    jobs as never,
    single as never,
    { inviteNew: jest.fn(inviteNew) } as never,
    { principalOf: async () => actor } as never,
    { record: async () => undefined } as never,
    { pacer: () => ({ endStep: async () => false }) } as never,
    { get: () => ({ outboxPollMs: 60_000 }) } as never,
  );
  return { worker, recorded, statements, single };
}

describe('InvitationJobsWorker', () => {
  beforeAll(() => Logger.overrideLogger(false));

  it('records the patients the batch invited together as invited, and invites the others one by one', async () => {
    const { worker, recorded, statements } = workerWith(async () => new Set(['a']));
    await (worker as unknown as { runJobs(): Promise<void> }).runJobs();
    // b fails on its own: the batch runs again with a savepoint per patient, the batch path first no more.
    expect(recorded).toEqual([
      [
        { position: 0, outcome: 'INVITED' },
        { position: 1, outcome: 'EMAIL_ALREADY_USED' },
      ],
    ]);
    expect(statements).toEqual(['invite b', 'SAVEPOINT', 'invite a', 'RELEASE', 'SAVEPOINT', 'invite b', 'ROLLBACK TO']);
  });

  it('runs the batch again one patient at a time when inviting the new ones together fails (a concurrent invite won a race)', async () => {
    const { worker, recorded, statements } = workerWith(async () => {
      throw new Error('duplicate key value violates unique constraint "uq_users_email"');
    });
    await (worker as unknown as { runJobs(): Promise<void> }).runJobs();
    expect(recorded).toEqual([
      [
        { position: 0, outcome: 'INVITED' },
        { position: 1, outcome: 'EMAIL_ALREADY_USED' },
      ],
    ]);
    expect(statements).toEqual(['SAVEPOINT', 'invite a', 'RELEASE', 'SAVEPOINT', 'invite b', 'ROLLBACK TO']);
  });
});
