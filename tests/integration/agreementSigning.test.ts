/**
 * Lock, sign, seal on the real server and PostgreSQL: the mediator locks and
 * the hash shown is the canonical text's; each party signs with its own link
 * and device, the mediator countersigns last; any edit or an unlock voids
 * every signature (visibly, in the document everyone has open); the last
 * signature stores a sealed PDF that pdfsig trusts against the deployment's
 * CA and refuses after a one-byte change; a sealed text no longer changes.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  addComment,
  agreementRoots,
  appendClause,
  canonicalText,
  paragraph,
  readComments,
} from '../../shared/agreement';
import type { ScheduledSession, LinkView } from '../../shared/sessions';
import { readSigningState, type SignRequest, type SigningState } from '../../shared/signing';
import type { CaseView } from '../../server/cases/CaseService';
import { DeploymentCa } from '../../server/seal/DeploymentCa';
import { connectProvider, type TestProvider } from '../helpers/collabClient';
import { eventually } from '../helpers/eventually';
import { pdfsigTrusting } from '../helpers/pdfsig';
import { createFixture, registerCase, type Api, type Fixture } from '../helpers/records';
import { startTestServer, tokenOf, type TestServer } from '../helpers/testServer';

jest.setTimeout(40_000);

let server: TestServer;
let f: Fixture;
let mediatorApi: Api;
let kase: CaseView;
let session: ScheduledSession;
let tmp: string;
const providers: TestProvider[] = [];

const DRAWING = [
  [100, 600, 300, 200, 500, 700, 700, 250, 900, 600],
  [200, 800, 800, 800],
];

interface Signer {
  link: LinkView;
  deviceId: string;
}

const linkOf = (predicate: (l: LinkView) => boolean): LinkView => session.links.find(predicate)!;
const mediator = (): Signer => ({ link: linkOf((l) => l.role === 'mediator'), deviceId: 'mediator-laptop-1' });
const applicant = (): Signer => ({ link: linkOf((l) => l.label === '王秀英'), deviceId: 'applicant-phone-1' });
const respondent = (): Signer => ({ link: linkOf((l) => l.label === '李建国'), deviceId: 'respondent-phone-1' });

async function call(
  signer: Signer,
  method: 'GET' | 'POST',
  action: string,
  body?: unknown,
): Promise<{ status: number; body: { signing?: SigningState; error?: { code: string; message: string } } }> {
  const res = await fetch(`${server.url}/api/agreement/${kase.id}/${action}`, {
    method,
    headers: {
      authorization: `Bearer ${tokenOf(signer.link.url!)}`,
      'x-device-id': signer.deviceId,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as never };
}

const signBody = (sha256: string, typedName: string): SignRequest => ({
  sha256,
  typedName,
  drawing: DRAWING,
  consent: true,
});

function editor(signer: Signer = mediator()): TestProvider {
  const p = connectProvider(server.url, kase.id, { link: tokenOf(signer.link.url!) });
  providers.push(p);
  return p;
}

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

async function lockWithClause(clause: string): Promise<{ editor: TestProvider; state: SigningState }> {
  const e = editor();
  await e.synced();
  appendClause(e.doc, clause);
  await eventually(async () => (await server.app.collab.documentForTesting(kase.id as never))?.doc && true, {
    what: 'document loaded',
  });
  await eventually(
    async () => canonicalText((await server.app.collab.documentForTesting(kase.id as never))!.doc).includes(clause),
    { what: 'the server has the clause' },
  );
  const locked = await call(mediator(), 'POST', 'lock');
  expect(locked.status).toBe(200);
  return { editor: e, state: locked.body.signing! };
}

beforeEach(async () => {
  server = await startTestServer();
  f = await createFixture(server.app, server.url);
  mediatorApi = await f.as('gridMediator');
  kase = await registerCase(mediatorApi, f.org.grids.heping1.id);
  const reply = await mediatorApi.post(`/api/cases/${kase.id}/sessions`, {
    scheduledAt: new Date(Date.now() + 3600_000).toISOString(),
  });
  if (reply.status !== 201) throw new Error(`schedule: ${reply.status} ${JSON.stringify(reply.body)}`);
  session = reply.body as ScheduledSession;
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gridroom-signing-'));
});

afterEach(async () => {
  for (const p of providers.splice(0)) p.destroy();
  await server.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

test('locking shows the SHA-256 of the canonical text, and every open editor sees the lock', async () => {
  const party = editor(applicant());
  await party.synced();
  const { editor: e, state } = await lockWithClause('李建国于2025年3月1日前赔偿王秀英维修费人民币3000元。');
  expect(state.status).toBe('locked');
  expect(state.sha256).toBe(sha256(canonicalText(e.doc)));
  expect(state.signatories.map((s) => [s.role, s.name, s.signedAt])).toEqual([
    ['applicant', '王秀英', null],
    ['respondent', '李建国', null],
    ['mediator', expect.any(String), null],
  ]);
  await eventually(() => readSigningState(party.doc).sha256 === state.sha256, { what: 'the party sees the lock' });
  expect((await call(applicant(), 'GET', 'signing')).body.signing).toEqual(state);
});

test('only the mediator locks, and only with an agreed term written', async () => {
  expect((await call(mediator(), 'POST', 'lock')).body.error?.message).toMatch(/at least one agreed term/);
  await lockWithClause('双方和睦相处。');
  expect((await call(mediator(), 'POST', 'lock')).status).toBe(409);
  await call(mediator(), 'POST', 'unlock');
  const byParty = await call(applicant(), 'POST', 'lock');
  expect(byParty.status).toBe(403);
  expect((await call(mediator(), 'GET', 'signing')).body.signing?.status).toBe('open');
});

test('a signature needs the locked hash, a typed name, a drawing and consent; bad ones record nothing', async () => {
  const { state } = await lockWithClause('双方和睦相处。');
  const good = signBody(state.sha256!, '王秀英');
  const refusals: [unknown, number][] = [
    [{ ...good, sha256: sha256('another text') }, 409],
    [{ ...good, sha256: 'not-a-hash' }, 400],
    [{ ...good, typedName: '   ' }, 400],
    [{ ...good, drawing: [] }, 400],
    [{ ...good, drawing: [[1, 2, 3]] }, 400],
    [{ ...good, drawing: [[5000, 1]] }, 400],
    [{ ...good, consent: false }, 400],
    [{ sha256: state.sha256 }, 400],
  ];
  for (const [body, status] of refusals) expect((await call(applicant(), 'POST', 'sign', body)).status).toBe(status);
  const added = await mediatorApi.post(`/api/sessions/${session.session.id}/links`, {
    role: 'expert',
    label: '专家 王医生',
  });
  expect(added.status).toBe(201);
  const expert: Signer = { link: added.body.link as LinkView, deviceId: 'expert-laptop-1' };
  expect((await call(expert, 'POST', 'sign', good)).status).toBe(403);
  expect((await call(mediator(), 'POST', 'sign', signBody(state.sha256!, '调解员'))).body.error?.message).toMatch(
    /after every party/,
  );
  const rows = await server.db.query('select 1 from agreement_signatures');
  expect(rows).toHaveLength(0);
});

test('each signature records the hash, time, session, link and device', async () => {
  const { state } = await lockWithClause('双方和睦相处。');
  const signed = await call(applicant(), 'POST', 'sign', signBody(state.sha256!, '王秀英'));
  expect(signed.status).toBe(200);
  expect(signed.body.signing?.signatories[0]?.signedAt).toEqual(expect.any(String));
  const [row] = await server.db.query<Record<string, unknown>>(
    'select sha256, session_id, link_id, device_id, typed_name, signed_at, consent_text from agreement_signatures',
  );
  expect(row).toMatchObject({
    sha256: state.sha256,
    session_id: session.session.id,
    link_id: applicant().link.linkId,
    device_id: 'applicant-phone-1',
    typed_name: '王秀英',
  });
  expect(row!.consent_text).toMatch(/自愿签署/);
  expect((await call(applicant(), 'POST', 'sign', signBody(state.sha256!, '王秀英'))).status).toBe(409);
});

test('a later edit voids every signature, visibly, and the old hash signs nothing', async () => {
  const { editor: e, state } = await lockWithClause('双方和睦相处。');
  const party = editor(respondent());
  await party.synced();
  expect((await call(applicant(), 'POST', 'sign', signBody(state.sha256!, '王秀英'))).status).toBe(200);

  agreementRoots(e.doc).facts.insert(0, [paragraph('补充：漏水发生于2024年12月。')]);
  await eventually(() => readSigningState(party.doc).status === 'open', { what: 'the respondent sees the voiding' });
  expect(readSigningState(party.doc).lastVoided).toMatchObject({ reason: 'edited', signatures: 1 });
  const rows = await server.db.query<{ voided_at: Date | null }>('select voided_at from agreement_signatures');
  expect(rows.map((r) => r.voided_at)).toEqual([expect.any(Date)]);
  const [version] = await server.db.query<{ status: string }>('select status from agreement_versions');
  expect(version!.status).toBe('voided');
  expect((await call(respondent(), 'POST', 'sign', signBody(state.sha256!, '李建国'))).status).toBe(409);
});

test('unlocking voids the signatures too; a comment does not', async () => {
  const { editor: e, state } = await lockWithClause('双方和睦相处。');
  expect((await call(applicant(), 'POST', 'sign', signBody(state.sha256!, '王秀英'))).status).toBe(200);
  addComment(e.doc, {
    id: 'c1',
    authorName: '调解员',
    authorRole: 'mediator',
    createdAt: new Date().toISOString(),
    body: '请双方核对金额。',
    section: 'clauses:0',
    resolved: false,
  });
  await eventually(
    async () => readComments((await server.app.collab.documentForTesting(kase.id as never))!.doc).length === 1,
    { what: 'the server has the comment' },
  );
  expect((await call(mediator(), 'GET', 'signing')).body.signing?.status).toBe('locked');
  const unlocked = await call(mediator(), 'POST', 'unlock');
  expect(unlocked.body.signing).toMatchObject({ status: 'open', lastVoided: { reason: 'unlocked', signatures: 1 } });
  await eventually(() => readSigningState(e.doc).status === 'open', { what: 'the editor sees the unlock' });
});

test('the last signature seals: the stored PDF is trusted by pdfsig and broken by one changed byte', async () => {
  const { editor: e, state } = await lockWithClause('李建国于2025年3月1日前赔偿王秀英维修费人民币3000元。');
  expect((await call(applicant(), 'POST', 'sign', signBody(state.sha256!, '王秀英'))).status).toBe(200);
  expect((await call(respondent(), 'POST', 'sign', signBody(state.sha256!, '李建国'))).status).toBe(200);
  const sealed = await call(mediator(), 'POST', 'sign', signBody(state.sha256!, '赵调解'));
  expect(sealed.body.signing).toMatchObject({ status: 'sealed', sha256: state.sha256 });
  await eventually(() => readSigningState(e.doc).status === 'sealed', { what: 'editors see the seal' });

  const res = await fetch(`${server.url}/api/agreement/${kase.id}/sealed.pdf`, {
    headers: { authorization: `Bearer ${tokenOf(respondent().link.url!)}`, 'x-device-id': 'respondent-phone-1' },
  });
  expect(res.status).toBe(200);
  const pdf = Buffer.from(await res.arrayBuffer());
  expect(createHash('sha256').update(pdf).digest('hex')).toBe(sealed.body.signing!.sealedPdfSha256);
  const staffCopy = await fetch(`${server.url}/api/cases/${kase.id}/agreement.pdf`, {
    headers: { authorization: `Bearer ${mediatorApi.token}` },
  });
  expect(Buffer.from(await staffCopy.arrayBuffer()).equals(pdf)).toBe(true);

  const ca = await DeploymentCa.open({ dir: path.join(server.config.database.dataDir, 'seal-ca') });
  const pdfsig = pdfsigTrusting(tmp, ca.certificatePem);
  fs.writeFileSync(path.join(tmp, 'sealed.pdf'), pdf);
  const out = pdfsig(path.join(tmp, 'sealed.pdf'));
  expect(out).toContain('Signature is Valid.');
  expect(out).toContain('Certificate is Trusted.');
  const tampered = Buffer.from(pdf);
  tampered[10] = tampered[10]! ^ 0x01;
  fs.writeFileSync(path.join(tmp, 'tampered.pdf'), tampered);
  expect(pdfsig(path.join(tmp, 'tampered.pdf'))).not.toContain('Signature is Valid.');

  // Sealed is final: no unlock, and a text edit closes the editor's connection with nothing changed.
  expect((await call(mediator(), 'POST', 'unlock')).status).toBe(409);
  const before = canonicalText((await server.app.collab.documentForTesting(kase.id as never))!.doc);
  appendClause(e.doc, '追加条款。');
  await eventually(() => e.closedBy?.code === 4403, { what: 'the edit refused' });
  expect(canonicalText((await server.app.collab.documentForTesting(kase.id as never))!.doc)).toBe(before);
});

test('a revoked link signs nothing, and a link only acts on its own case', async () => {
  const { state } = await lockWithClause('双方和睦相处。');
  const other = await registerCase(mediatorApi, f.org.grids.heping1.id, { summary: '另一起纠纷。' });
  const elsewhere = await fetch(`${server.url}/api/agreement/${other.id}/signing`, {
    headers: { authorization: `Bearer ${tokenOf(applicant().link.url!)}`, 'x-device-id': 'applicant-phone-1' },
  });
  expect(elsewhere.status).toBe(403);
  const revoke = await mediatorApi.post(
    `/api/sessions/${session.session.id}/links/${applicant().link.linkId}/revoke`,
    {},
  );
  expect(revoke.status).toBeLessThan(300);
  const refused = await call(applicant(), 'POST', 'sign', signBody(state.sha256!, '王秀英'));
  expect(refused.body.error?.code).toBe('LINK_REVOKED');
  expect(await server.db.query('select 1 from agreement_signatures')).toHaveLength(0);
});

test('a link learns what it may do to the agreement, as the mediator sets it for parties in the staff console', async () => {
  const access = async (signer: Signer) => ((await call(signer, 'GET', 'access')).body as { access?: string }).access;
  expect(await access(applicant())).toBe('edit');
  expect(await access(mediator())).toBe('edit');

  const set = await mediatorApi.post(`/api/cases/${kase.id}/agreement/party-access`, { access: 'comment' });
  expect(set.status).toBe(200);
  expect(set.body).toMatchObject({ partyAccess: 'comment', signing: { status: 'open' } });
  expect(await access(applicant())).toBe('comment');
  expect(await access(mediator())).toBe('edit');
  expect((await mediatorApi.get(`/api/cases/${kase.id}/agreement`)).body.partyAccess).toBe('comment');

  expect((await mediatorApi.post(`/api/cases/${kase.id}/agreement/party-access`, { access: 'all' })).status).toBe(400);
  const anonymous = await fetch(`${server.url}/api/cases/${kase.id}/agreement`);
  expect(anonymous.status).toBe(401);
  const outsider = await (
    await f.as('districtCoordinator')
  ).post(`/api/cases/${kase.id}/agreement/party-access`, {
    access: 'edit',
  });
  expect(outsider.status).toBe(403);
  expect(await access(applicant())).toBe('comment');
});
