import { createPatient, createPractitionerUser } from '../support/care';
import { figures } from '../support/figures';
import { HttpClient } from '../support/http';
import { publicKeyHex } from '../support/keys';
import { linkIn, TestMailServer } from '../support/mail-server';
import { createUser, loginAs, loginAsAdmin, unique } from '../support/session';
import { startTestApp, TestApp } from '../support/test-app';
import { openNotificationStream } from '../support/event-stream';

/**
 * Insecure direct object references: three attackers (a practitioner, a
 * plain user, a patient user) put the ids of another practitioner's world
 * (its user, patients, records, notification, tokens, invitation) into every
 * path and body field that takes one. Each attempt gets the contract's
 * refusal (404 for a record they may not read, 403 for what their role may
 * never do, 400 for a body naming what they cannot reach), never a 2xx, and
 * an admin reading everything back afterwards finds nothing changed.
 */
const PASSWORD = 'correct horse battery staple';
const ticketOf = (link: string) => new URL(link).hash.replace('#ticket=', '');

interface Attack {
  name: string;
  method: string;
  path: string;
  body?: unknown;
  /** The contract's refusals for this attempt (never a 2xx). */
  refusedWith: number[];
}

type Attacker = 'practitioner' | 'plainUser' | 'patientUser';

describe('IDOR: ids of records that are not yours, in paths and bodies', () => {
  const mail = new TestMailServer();
  let t: TestApp;
  let admin: HttpClient;
  /** The victim's world. */
  let b: {
    doctor: Awaited<ReturnType<typeof createPractitionerUser>>;
    patient: any;
    uninvitedPatient: any;
    sample: any;
    element: any;
    patientUser: any;
    patientUserLogin: string;
    patientSession: HttpClient;
    patientTokenKey: string;
    doctorToken: { token: string; key: string };
    notification: any;
    invitation: any;
  };
  /** The attackers: their sessions, users and what they own. */
  let a: Record<Attacker, { session: HttpClient; user: any; dataOwnerId: string | null }>;
  let own: { patient: any; uninvitedPatient: any; sample: any; tokenOf: Record<Attacker, string> };
  let streams: Record<Attacker | 'victim', Awaited<ReturnType<typeof openNotificationStream>>>;
  let attempts = 0;
  const leaks: string[] = [];

  beforeAll(async () => {
    await mail.start();
    t = await startTestApp({ env: { SMTP_URL: mail.url, LOCKOUT_MAX_FAILURES: '100' } });
    admin = await loginAsAdmin(t.http);

    const doctor = await createPractitionerUser(admin, { email: `${unique('hcpb')}@hospital.care` });
    const patient = await createPatient(doctor.client, { email: `${unique('pb')}@moliere.fr` });
    const uninvitedPatient = await createPatient(doctor.client, { email: `${unique('pb2')}@moliere.fr` });
    const sample = (await doctor.client.post('/api/v1/data-samples', { patientId: patient.id, content: { weight: 72 } })).body;
    const element = (await doctor.client.post('/api/v1/healthcare-elements', { patientId: patient.id, content: { asthma: true } })).body;
    // B's patient is invited (REGISTERING) and activates below, while everyone listens.
    const patientUser = await createUser(admin, { patientId: patient.id, status: 'REGISTERING' });
    const activationToken = (await admin.post(`/api/v1/users/${patientUser.user.id}/tokens`, { validitySeconds: 600 })).body.token;
    const doctorToken = (await doctor.client.post(`/api/v1/users/${doctor.user.id}/tokens`, { validitySeconds: 3600 })).body;
    const invitation = (
      await admin.post('/api/v1/invitations', { email: `${unique('inv')}@clinic.example`, resource: { resourceType: 'Practitioner' } })
    ).body;

    const doctorA = await createPractitionerUser(admin, { email: `${unique('hcpa')}@hospital.care` });
    const ownPatient = await createPatient(doctorA.client, { email: `${unique('pa')}@moliere.fr` });
    const ownUninvited = await createPatient(doctorA.client, { email: `${unique('pa2')}@moliere.fr` });
    const ownSample = (await doctorA.client.post('/api/v1/data-samples', { patientId: ownPatient.id, content: { weight: 60 } })).body;
    const plain = await createUser(admin);
    const patientA = await createUser(admin, { patientId: ownPatient.id });
    a = {
      practitioner: { session: doctorA.client, user: doctorA.user, dataOwnerId: doctorA.practitioner.id },
      plainUser: { session: await loginAs(t.http, plain.login, PASSWORD), user: plain.user, dataOwnerId: null },
      patientUser: { session: await loginAs(t.http, patientA.login, PASSWORD), user: patientA.user, dataOwnerId: ownPatient.id },
    };
    const tokenOf = {} as Record<Attacker, string>;
    for (const who of Object.keys(a) as Attacker[]) {
      tokenOf[who] = (await a[who].session.post(`/api/v1/users/${a[who].user.id}/tokens`, { validitySeconds: 3600 })).body.token;
    }
    own = { patient: ownPatient, uninvitedPatient: ownUninvited, sample: ownSample, tokenOf };

    // Everyone listens while the victim's patient activates: only its practitioner may hear of it.
    streams = {
      victim: await openNotificationStream(t.baseUrl, doctor.client.tokens.accessToken),
      practitioner: await openNotificationStream(t.baseUrl, doctorA.client.tokens.accessToken),
      plainUser: await openNotificationStream(t.baseUrl, a.plainUser.session.defaultToken!),
      patientUser: await openNotificationStream(t.baseUrl, a.patientUser.session.defaultToken!),
    };
    for (const stream of Object.values(streams)) expect(stream.status).toBe(200);
    const activated = await t.http.post('/api/v1/auth/activate', {
      login: patientUser.login,
      token: activationToken,
      publicKey: publicKeyHex(),
    });
    expect(activated.status).toBe(200);
    // Its password (createUser's) works from now on, as for any ACTIVE user.
    const patientSession = await loginAs(t.http, patientUser.login, PASSWORD);
    const patientTokenKey = (await patientSession.post(`/api/v1/users/${patientUser.user.id}/tokens`, { validitySeconds: 3600 })).body.key;
    const notification = (await doctor.client.get(`/api/v1/notifications?responsible=${patient.id}`)).body.rows[0];
    expect(notification).toBeDefined();

    b = {
      doctor,
      patient,
      uninvitedPatient,
      sample,
      element,
      patientUser: patientUser.user,
      patientUserLogin: patientUser.login,
      patientSession,
      patientTokenKey,
      doctorToken,
      notification,
      invitation,
    };
  });
  afterAll(async () => {
    figures.record('access', 'IDOR (ids of others in paths and bodies)', { attempts, leaks: leaks.length });
    for (const stream of Object.values(streams ?? {})) await stream.close();
    await t.close();
    await mail.stop();
  });

  /** Everything an attack could touch, as an admin reads it. */
  async function snapshot(): Promise<Record<string, unknown>> {
    const paths = [
      `/api/v1/users/${b.doctor.user.id}`,
      `/api/v1/users/${b.patientUser.id}`,
      `/api/v1/users/${b.doctor.user.id}/tokens`,
      `/api/v1/users/${b.patientUser.id}/tokens`,
      `/api/v1/practitioners/${b.doctor.practitioner.id}`,
      `/api/v1/patients/${b.patient.id}`,
      `/api/v1/patients/${b.uninvitedPatient.id}`,
      `/api/v1/data-samples/${b.sample.id}`,
      `/api/v1/healthcare-elements/${b.element.id}`,
      `/api/v1/data-samples?patientId=${b.patient.id}`,
      `/api/v1/healthcare-elements?patientId=${b.patient.id}`,
      `/api/v1/notifications/${b.notification.id}`,
      `/api/v1/invitations/${b.invitation.id}`,
      `/api/v1/users?patientId=${b.uninvitedPatient.id}`,
      `/api/v1/users?patientId=${own.uninvitedPatient.id}`,
      `/api/v1/patients/${own.patient.id}`,
      `/api/v1/patients/${own.uninvitedPatient.id}`,
      `/api/v1/data-samples/${own.sample.id}`,
      ...Object.values(a).map(({ user }) => `/api/v1/users/${user.id}`),
      '/api/v1/users/count',
      '/api/v1/invitations?limit=1000',
    ];
    const read = await Promise.all(paths.map(async (path) => [path, await admin.get(path)] as const));
    for (const [path, response] of read) if (response.status !== 200) throw new Error(`admin read ${path}: ${response.status}`);
    return Object.fromEntries(read.map(([path, response]) => [path, response.body]));
  }

  async function run(who: Attacker, attacks: Attack[]): Promise<void> {
    const outcomes: string[] = [];
    for (const attack of attacks) {
      const response = await a[who].session.request(attack.method, attack.path, attack.body);
      attempts += 1;
      const outcome = `${attack.name}: ${response.status}${response.status >= 400 ? ` ${response.body?.code}` : ''}`;
      if (!attack.refusedWith.includes(response.status)) {
        outcomes.push(`${outcome} (expected ${attack.refusedWith.join('|')})`);
        if (response.status < 300) leaks.push(`${who} ${outcome}`);
      }
    }
    expect(outcomes).toEqual([]);
  }

  /** 404 for a practitioner (may do it, not to this record); 403 for roles that may never do it. */
  const byRole = (who: Attacker, practitioner: number, plainUser: number, patientUser: number) => [
    { practitioner, plainUser, patientUser }[who],
  ];

  function pathAttacks(who: Attacker): Attack[] {
    const me = a[who].user.id;
    const current = (path: string) => ({ ...(snapshotBefore[path] as object) });
    return [
      { name: "read B's user", method: 'GET', path: `/api/v1/users/${b.doctor.user.id}`, refusedWith: [404] },
      { name: "read B's patient's user", method: 'GET', path: `/api/v1/users/${b.patientUser.id}`, refusedWith: [404] },
      {
        name: "read B's patient's user by email",
        method: 'GET',
        path: `/api/v1/users/by-email/${encodeURIComponent(b.patientUser.email)}`,
        refusedWith: [404],
      },
      {
        name: "modify B's patient's user",
        method: 'PUT',
        path: `/api/v1/users/${b.patientUser.id}`,
        body: { ...current(`/api/v1/users/${b.patientUser.id}`), name: 'Taken over', passwordHash: 'taken over password' },
        refusedWith: [404],
      },
      { name: "delete B's user", method: 'DELETE', path: `/api/v1/users/${b.doctor.user.id}`, refusedWith: [403] },
      {
        name: "create a token for B's patient's user",
        method: 'POST',
        path: `/api/v1/users/${b.patientUser.id}/tokens`,
        body: { validitySeconds: 60 },
        refusedWith: [403],
      },
      { name: "list B's tokens", method: 'GET', path: `/api/v1/users/${b.doctor.user.id}/tokens`, refusedWith: [403] },
      {
        name: "revoke B's token",
        method: 'DELETE',
        path: `/api/v1/users/${b.doctor.user.id}/tokens/${b.doctorToken.key}`,
        refusedWith: [403],
      },
      {
        name: "revoke B's patient's token key under my own user",
        method: 'DELETE',
        path: `/api/v1/users/${me}/tokens/${b.patientTokenKey}`,
        refusedWith: [404],
      },
      { name: "clear B's lockout", method: 'DELETE', path: `/api/v1/users/${b.doctor.user.id}/lockout`, refusedWith: [403] },
      { name: "read B's patient", method: 'GET', path: `/api/v1/patients/${b.patient.id}`, refusedWith: byRole(who, 404, 403, 404) },
      {
        name: "read B's patient's administrative part",
        method: 'GET',
        path: `/api/v1/patients/${b.patient.id}/administrative`,
        refusedWith: byRole(who, 404, 403, 404),
      },
      {
        name: "modify B's patient",
        method: 'PUT',
        path: `/api/v1/patients/${b.patient.id}`,
        body: { ...current(`/api/v1/patients/${b.patient.id}`), lastName: 'Tampered' },
        refusedWith: byRole(who, 404, 403, 403),
      },
      { name: "delete B's patient", method: 'DELETE', path: `/api/v1/patients/${b.patient.id}`, refusedWith: byRole(who, 404, 403, 403) },
      {
        name: "share B's patient with me",
        method: 'POST',
        path: `/api/v1/patients/${b.patient.id}/delegations`,
        body: { dataOwnerId: a[who].dataOwnerId ?? a.practitioner.dataOwnerId, includeRecords: true },
        refusedWith: byRole(who, 404, 403, 403),
      },
      {
        name: "share all of B's patient's data",
        method: 'POST',
        path: `/api/v1/patients/${b.patient.id}/share-all-data`,
        refusedWith: byRole(who, 404, 403, 403),
      },
      {
        name: "invite B's patient",
        method: 'POST',
        path: `/api/v1/patients/${b.uninvitedPatient.id}/invite`,
        body: {},
        refusedWith: byRole(who, 404, 403, 403),
      },
      ...(['data-samples', 'healthcare-elements'] as const).flatMap((kind): Attack[] => {
        const record = kind === 'data-samples' ? b.sample : b.element;
        const path = `/api/v1/${kind}/${record.id}`;
        return [
          { name: `read B's ${kind}`, method: 'GET', path, refusedWith: byRole(who, 404, 403, 404) },
          {
            name: `modify B's ${kind} with its current rev`,
            method: 'PUT',
            path,
            body: { ...current(path), content: { tampered: true } },
            refusedWith: byRole(who, 404, 403, 403),
          },
          { name: `delete B's ${kind}`, method: 'DELETE', path, refusedWith: byRole(who, 404, 403, 403) },
        ];
      }),
      { name: "read B's notification", method: 'GET', path: `/api/v1/notifications/${b.notification.id}`, refusedWith: [404] },
      {
        name: "cancel B's notification with its rev",
        method: 'PUT',
        path: `/api/v1/notifications/${b.notification.id}/status`,
        body: { status: 'cancelled', rev: b.notification.rev },
        refusedWith: [404],
      },
      {
        name: 'read an invitation',
        method: 'GET',
        path: `/api/v1/invitations/${b.invitation.id}`,
        refusedWith: byRole(who, 404, 403, 403),
      },
      {
        name: 'resend an invitation',
        method: 'POST',
        path: `/api/v1/invitations/${b.invitation.id}/resend`,
        refusedWith: byRole(who, 404, 403, 403),
      },
      {
        name: 'revoke an invitation',
        method: 'DELETE',
        path: `/api/v1/invitations/${b.invitation.id}`,
        refusedWith: byRole(who, 404, 403, 403),
      },
      {
        name: "modify B's practitioner",
        method: 'PUT',
        path: `/api/v1/practitioners/${b.doctor.practitioner.id}`,
        body: { ...current(`/api/v1/practitioners/${b.doctor.practitioner.id}`), speciality: 'Quackery' },
        refusedWith: [403],
      },
    ];
  }

  function bodyAttacks(who: Attacker): Attack[] {
    const me = a[who].user;
    const mine = (path: string) => ({ ...(snapshotBefore[path] as object) });
    const ownSamplePath = `/api/v1/data-samples/${own.sample.id}`;
    return [
      ...(['data-samples', 'healthcare-elements'] as const).map((kind): Attack => ({
        name: `create a ${kind} on B's patient`,
        method: 'POST',
        path: `/api/v1/${kind}`,
        body: { patientId: b.patient.id, content: { planted: true } },
        refusedWith: byRole(who, 400, 403, 403),
      })),
      {
        name: "create a data sample with the id of B's",
        method: 'POST',
        path: '/api/v1/data-samples',
        body: { id: b.sample.id, patientId: own.patient.id, content: { planted: true } },
        refusedWith: byRole(who, 400, 403, 403),
      },
      {
        name: "create a patient with the id of B's",
        method: 'POST',
        path: '/api/v1/patients',
        body: { id: b.patient.id, firstName: 'Planted', lastName: 'Patient' },
        refusedWith: byRole(who, 400, 403, 403),
      },
      {
        name: "create a practitioner with the id of B's",
        method: 'POST',
        path: '/api/v1/practitioners',
        body: { id: b.doctor.practitioner.id, lastName: 'Planted' },
        refusedWith: [403],
      },
      {
        name: "move my patient onto B's patient's id",
        method: 'PUT',
        path: `/api/v1/patients/${own.patient.id}`,
        body: { ...mine(`/api/v1/patients/${own.patient.id}`), id: b.patient.id },
        refusedWith: byRole(who, 400, 403, 403),
      },
      {
        name: "move my data sample to B's patient",
        method: 'PUT',
        path: ownSamplePath,
        body: { ...mine(ownSamplePath), patientId: b.patient.id },
        refusedWith: byRole(who, 400, 403, 403),
      },
      {
        name: "modify my data sample with the rev of B's",
        method: 'PUT',
        path: ownSamplePath,
        body: { ...mine(ownSamplePath), rev: b.sample.rev, content: { tampered: true } },
        refusedWith: byRole(who, 409, 403, 403),
      },
      {
        name: 'invite my own patient in the name of B',
        method: 'POST',
        path: `/api/v1/patients/${own.uninvitedPatient.id}/invite`,
        body: { practitionerId: b.doctor.practitioner.id },
        refusedWith: [403],
      },
      {
        name: "make me stand for B's practitioner",
        method: 'PUT',
        path: `/api/v1/users/${me.id}`,
        body: { ...mine(`/api/v1/users/${me.id}`), patientId: undefined, healthcarePartyId: b.doctor.practitioner.id },
        refusedWith: [403],
      },
      {
        name: "make me stand for B's patient",
        method: 'PUT',
        path: `/api/v1/users/${me.id}`,
        body: { ...mine(`/api/v1/users/${me.id}`), healthcarePartyId: undefined, patientId: b.patient.id },
        refusedWith: [403],
      },
      {
        name: "write my user with B's patient's user id in the body",
        method: 'PUT',
        path: `/api/v1/users/${me.id}`,
        body: { ...mine(`/api/v1/users/${b.patientUser.id}`), name: 'Body names another user' },
        refusedWith: [400],
      },
      {
        name: "take B's patient's login",
        method: 'PUT',
        path: `/api/v1/users/${me.id}`,
        body: { ...mine(`/api/v1/users/${me.id}`), login: b.patientUserLogin },
        refusedWith: [403],
      },
      {
        name: "take B's patient's email",
        method: 'PUT',
        path: `/api/v1/users/${me.id}`,
        body: { ...mine(`/api/v1/users/${me.id}`), email: b.patientUser.email, currentPassword: PASSWORD },
        refusedWith: [400],
      },
      {
        name: "activate B's patient's user with my own token",
        method: 'POST',
        path: '/api/v1/auth/activate',
        body: { login: b.patientUserLogin, token: own.tokenOf[who], publicKey: publicKeyHex() },
        refusedWith: [401],
      },
      {
        name: "log in as B's patient with my own token",
        method: 'POST',
        path: '/api/v1/auth/login',
        body: { login: b.patientUserLogin, password: own.tokenOf[who] },
        refusedWith: [401],
      },
    ];
  }

  let snapshotBefore: Record<string, unknown>;

  it("tells nobody else of a practitioner's notification on the live stream", async () => {
    const deadline = Date.now() + 10_000;
    while (!streams.victim.events.some((n) => n.id === b.notification.id) && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 25));
    expect(streams.victim.events.map((n) => n.id)).toContain(b.notification.id);
    // Give the other streams the same chance (and some more) to hear of it.
    await new Promise((r) => setTimeout(r, 300));
    expect(streams.practitioner.events).toEqual([]);
    expect(streams.plainUser.events).toEqual([]);
    expect(streams.patientUser.events).toEqual([]);
  });

  it.each<Attacker>(['practitioner', 'plainUser', 'patientUser'])("refuses the %s every id of B's in a path", async (who) => {
    snapshotBefore = await snapshot();
    await run(who, pathAttacks(who));
    expect(await snapshot()).toEqual(snapshotBefore);
  });

  it.each<Attacker>(['practitioner', 'plainUser', 'patientUser'])("refuses the %s every id of B's in a body field", async (who) => {
    snapshotBefore = await snapshot();
    await run(who, bodyAttacks(who));
    expect(await snapshot()).toEqual(snapshotBefore);
  });

  it('refuses a ticket of one kind where the other kind is expected', async () => {
    snapshotBefore = await snapshot();
    const invitationTicket = ticketOf(b.invitation.invitationUrl);
    await t.http.post('/api/v1/auth/password-reset', { email: b.patientUser.email });
    const [reset] = await mail.waitFor(b.patientUser.email);
    const resetTicket = ticketOf(linkIn(reset.text, '/password-reset'));
    const crossed = [
      await t.http.post('/api/v1/auth/password-reset/confirm', { ticket: invitationTicket, password: 'taken over password' }),
      await t.http.post('/api/v1/invitations/accept', { ticket: resetTicket, password: 'taken over password' }),
    ];
    attempts += crossed.length;
    expect(crossed.map((r) => [r.status, r.body.code])).toEqual([
      [400, 'TICKET_UNKNOWN'],
      [400, 'TICKET_UNKNOWN'],
    ]);
    expect(await snapshot()).toEqual(snapshotBefore);
    expect((await t.http.post('/api/v1/auth/login', { login: b.patientUserLogin, password: 'taken over password' })).status).toBe(401);
  });

  it("lists only the caller's own: B's patients, records, notifications and token keys never show", async () => {
    for (const who of Object.keys(a) as Attacker[]) {
      const session = a[who].session;
      const lists = {
        patients: await session.get('/api/v1/patients?limit=1000'),
        samples: await session.get(`/api/v1/data-samples?patientId=${b.patient.id}`),
        elements: await session.get(`/api/v1/healthcare-elements?patientId=${b.patient.id}`),
        notifications: await session.get('/api/v1/notifications?limit=1000'),
        aboutB: await session.get(`/api/v1/notifications?responsible=${b.patient.id}`),
        tokens: await session.get(`/api/v1/users/${a[who].user.id}/tokens`),
        users: await session.get('/api/v1/users?limit=1000'),
      };
      attempts += Object.keys(lists).length;
      const text = Object.values(lists)
        .map((r) => r.text)
        .join('\n');
      for (const id of [
        b.patient.id,
        b.uninvitedPatient.id,
        b.sample.id,
        b.element.id,
        b.notification.id,
        b.patientTokenKey,
        b.doctorToken.key,
      ])
        expect(text).not.toContain(id);
      // A role that may read a kind gets a (filtered) 200; one that may never gets 403.
      const readsMedicalData = who !== 'plainUser';
      expect(Object.fromEntries(Object.entries(lists).map(([name, r]) => [name, r.status]))).toEqual({
        patients: readsMedicalData ? 200 : 403,
        samples: readsMedicalData ? 200 : 403,
        elements: readsMedicalData ? 200 : 403,
        notifications: 200,
        aboutB: 200,
        tokens: 200,
        users: 403,
      });
      expect(lists.tokens.body.rows).toHaveLength(1);
    }
    // The control: the victim's own lists do show them.
    expect((await b.doctor.client.get(`/api/v1/data-samples?patientId=${b.patient.id}`)).text).toContain(b.sample.id);
    expect((await b.doctor.client.get('/api/v1/notifications')).text).toContain(b.notification.id);
  });

  it("leaves B's tokens working", async () => {
    expect((await t.http.post('/api/v1/auth/login', { login: b.doctor.login, password: b.doctorToken.token })).status).toBe(200);
    expect((await b.patientSession.get(`/api/v1/users/${b.patientUser.id}/tokens`)).body.rows.map((r: any) => r.key)).toContain(
      b.patientTokenKey,
    );
  });

  it('still lets a practitioner invite its own patient naming itself (the control for the practitionerId refusal)', async () => {
    const invited = await a.practitioner.session.post(`/api/v1/patients/${own.uninvitedPatient.id}/invite`, {
      practitionerId: a.practitioner.dataOwnerId,
    });
    expect(invited.status).toBe(201);
    expect(invited.body.patientId).toBe(own.uninvitedPatient.id);
  });
});
