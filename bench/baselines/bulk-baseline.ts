/**
 * Baselines of the bulk-invite scenario, a bare node:http server doing the
 * job's work with nothing else:
 * - `POST /create {patientIds, practitionerEmail, actorId}`: the rows an
 *   invitation writes (the user, its invitation token, the queued message,
 *   the invitation, and the audit records the app writes: patient read, user
 *   created, token created, user invited; the message composed as it will go
 *   out, as the app stores it), one plain INSERT each through a
 *   `pg` pool, 100 patients per transaction as the job batches them; no reads,
 *   no checks. Its messages are queued far in the future, so that the app's
 *   outbox leaves them alone. The bench compares the rows with the app's
 *   (bench/lib/database.ts, invitationRowShapes) before it measures.
 * - `POST /deliver {recipients, composed}`: the same message to each, through a
 *   nodemailer pool of 5 connections (as the app's outbox) to SMTP_URL;
 *   with `composed`, the messages are composed first (not timed) and sent as
 *   they are, as the app's outbox sends what it stored.
 * Both answer `{ms}`. The message is the default template's
 * (libs/invitations/src/templates), filled as the app fills it.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { createTransport } from 'nodemailer';
import MailComposer from 'nodemailer/lib/mail-composer';
import { Pool, PoolClient } from 'pg';

const port = Number(process.env.PORT);
const pool = new Pool({ connectionString: process.env.DATABASE_URL, max: 10, application_name: 'careid-bench-bulk-baseline' });
const mailer = createTransport({ url: process.env.SMTP_URL, pool: true, maxConnections: 5 } as never);
const FROM = { name: 'Careid', address: 'no-reply@careid.local' };
const BATCH = 100;
const TEMPLATES = join(__dirname, '..', '..', 'libs', 'invitations', 'src', 'templates');

function fill(file: string, values: Record<string, string>): string {
  const template = readFileSync(join(TEMPLATES, file), 'utf8').replace(/\{\{#loginUrl\}\}[\s\S]*?\{\{\/loginUrl\}\}/g, '');
  return template.replace(/\{\{(\w+)\}\}/g, (_, name: string) => values[name] ?? '');
}

/** The default patient invitation, as the app renders it for `login` with a fresh token. */
function message(login: string, token: string) {
  const values = {
    solutionName: 'Careid',
    name: 'Argan Patient',
    practitionerName: 'Bench Practitioner',
    login,
    token,
    expiresAt: new Date(Date.now() + 3_600_000).toISOString(),
  };
  const [first, ...rest] = fill('patient-invitation.email.txt', values).split('\n');
  return {
    subject: first.replace(/^Subject:\s*/, ''),
    text: rest.join('\n').replace(/^\n+/, ''),
    html: fill('patient-invitation.email.html', values),
  };
}

/** Who invites: the practitioner (its id and the reply-to address) and its user. */
interface BaselineInput {
  practitionerId: string;
  practitionerEmail: string;
  actorId: string;
}

const AUDIT = `INSERT INTO audit_events (occurred, type, outcome, actor_id, actor_login, target_type, target_id, ip, request_id, details)
  VALUES ($1, $2, 'success', $3, $4, $5, $6, NULL, $7, $8)`;

async function insertInvitation(db: PoolClient, patientId: string, input: BaselineInput) {
  const now = Date.now();
  const [userId, invitationId, messageId] = [randomUUID(), randomUUID(), randomUUID()];
  const login = `bare-${patientId}@bulk.bench.test`;
  const token = randomBytes(24).toString('base64url');
  const audit = (type: string, targetType: string, targetId: string, details: unknown) =>
    db.query(AUDIT, [now, type, input.actorId, 'bench-bulk', targetType, targetId, 'bench-bulk-baseline', JSON.stringify(details)]);
  await audit('PATIENT_READ', 'Patient', patientId, { view: 'contact' });
  await db.query(
    `INSERT INTO users (id, rev, created, modified, name, properties, permissions, roles, type, status, login, login_key, login_skeleton,
                        use2fa, group_id, patient_id, auto_delegations, created_date, email, email_key, sharing_data_with, session_version)
     VALUES ($1, $2, $3, $3, $4, '{}', '[]', '{}', 'database', 'REGISTERING', $4, $4, $4, false, 'default', $5, '{}', $3, $4, $4, '{}', 1)`,
    [userId, `1-${randomBytes(16).toString('hex')}`, now, login, patientId],
  );
  await audit('USER_CREATED', 'User', userId, { roles: [], status: 'REGISTERING' });
  await db.query(
    `INSERT INTO user_tokens (id, user_id, key, token_hash, kind, created, expires_at) VALUES ($1, $2, $3, $4, 'invitation', $5, $6)`,
    [randomUUID(), userId, randomUUID(), createHash('sha256').update(token).digest(), now, now + 3_600_000],
  );
  await audit('TOKEN_CREATED', 'User', userId, { key: randomUUID(), kind: 'invitation', validitySeconds: 3600 });
  const { subject, text, html } = message(login, token);
  const mime = (await compose(login, input.practitionerEmail, { subject, text, html })).toString('utf8');
  await db.query(
    `INSERT INTO outbox_messages (id, channel, kind, recipient, reply_to, subject, text_body, html_body, mime_body, next_attempt_at, created)
     VALUES ($1, 'email', 'patient-invitation', $2, $3, $4, $5, $6, $7, $8, $9)`,
    [messageId, login, input.practitionerEmail, subject, text, html, mime, now + 10 * 365 * 86_400_000, now],
  );
  await db.query(
    `INSERT INTO invitations (id, kind, user_id, email, email_key, phone, channel, name, profile_type, profile_id, expires_at, created, created_by,
                              message_id, practitioner_id, validity_seconds)
     VALUES ($1, 'patient', $2, $3, $3, NULL, 'email', 'Argan Patient', 'Patient', $4, $5, $6, $7, $8, $9, 3600)`,
    [invitationId, userId, login, patientId, now + 3_600_000, now, input.actorId, messageId, input.practitionerId],
  );
  await audit('USER_INVITED', 'Invitation', invitationId, { userId, profile: `Patient/${patientId}`, channel: 'email' });
}

async function create(input: BaselineInput & { patientIds: string[] }): Promise<void> {
  for (let i = 0; i < input.patientIds.length; i += BATCH) {
    const db = await pool.connect();
    try {
      await db.query('BEGIN');
      for (const patientId of input.patientIds.slice(i, i + BATCH)) await insertInvitation(db, patientId, input);
      await db.query('COMMIT');
    } catch (error) {
      await db.query('ROLLBACK');
      throw error;
    } finally {
      db.release();
    }
  }
}

function compose(to: string, replyTo: string, parts: ReturnType<typeof message>): Promise<Buffer> {
  return new MailComposer({ from: FROM, to, replyTo, ...parts }).compile().build();
}

const newToken = () => randomBytes(24).toString('base64url');

/** Sends to each recipient; `composed` messages are composed before the clock starts, and sent as they are. */
async function deliver(recipients: string[], composed: boolean): Promise<number> {
  const replyTo = 'bench@bulk.bench.test';
  const raws = composed ? await Promise.all(recipients.map((to) => compose(to, replyTo, message(to, newToken())))) : [];
  const started = process.hrtime.bigint();
  await Promise.all(
    recipients.map((to, i) =>
      composed
        ? mailer.sendMail({ envelope: { from: FROM.address, to }, raw: raws[i] })
        : mailer.sendMail({ from: FROM, to, replyTo, ...message(to, newToken()) }),
    ),
  );
  return Number(process.hrtime.bigint() - started) / 1e6;
}

const server = createServer((req, res) => {
  const send = (status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  if (req.url === '/ready') return send(200, { status: 'ok' });
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
    const started = process.hrtime.bigint();
    const elapsed = () => Number(process.hrtime.bigint() - started) / 1e6;
    const work =
      req.url === '/create' ? create(body).then(elapsed) : req.url === '/deliver' ? deliver(body.recipients, !!body.composed) : undefined;
    if (!work) return send(404, {});
    work.then(
      (ms) => send(200, { ms }),
      (error: Error) => send(500, { error: error.message }),
    );
  });
});
server.listen(port, '127.0.0.1');
process.on('SIGTERM', () => {
  server.close();
  mailer.close();
  void pool.end().finally(() => process.exit(0));
});
