/**
 * The notary journal on the real database (PostgreSQL; TEST_DB=pglite for
 * the embedded one): acts driven through NotaryService end in chained
 * entries; verification passes, and fails once a row is edited or deleted
 * behind the triggers' back (as only the table's owner could); the triggers
 * refuse UPDATE, and DELETE before the retention has expired; the export
 * carries what the notary must keep; the CLI says the same as the function.
 */
import { execFile } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import pino from 'pino';
import type { ActSignerId, NotaryActId, StaffId } from '../../shared/ids';
import type { Db } from '../../server/db/Db';
import { IdentityProviders, type IdentityProvider } from '../../server/notary/identityProviders';
import { journalToCsv, journalToJson } from '../../server/notary/journalExport';
import { NotaryJournal, verifyJournal } from '../../server/notary/NotaryJournal';
import { NotaryService } from '../../server/notary/NotaryService';
import type { ActRecord } from '../../server/notary/NotaryStore';
import { addNotary, FileRecordings, sha256 } from '../helpers/notary';
import { createTestDb, testDatabaseUrl, type TestDb } from '../helpers/testDb';

const quiet = pino({ level: 'silent' });
let testDb: TestDb;
let db: Db;
let recordings: FileRecordings;
let service: NotaryService;
let journal: NotaryJournal;
const notaryId = randomUUID() as StaffId;

const SIGNERS = [
  { name: '张三', address: '东湖街道幸福里3栋201室' },
  { name: '李四', address: '东湖街道幸福里3栋301室' },
];

async function scheduleAct(svc = service, description = '房屋买卖合同签名确认'): Promise<ActRecord> {
  return svc.schedule(notaryId, {
    actType: 'acknowledgment',
    documentDescription: description,
    jurisdiction: 'CN-ZJ',
    feeMinor: 20000,
    currency: 'CNY',
    signers: SIGNERS,
  });
}

async function identify(svc: NotaryService, act: ActRecord): Promise<void> {
  const signers = await db.query<{ id: string }>(
    'select id from notary_act_signers where act_id = $1 order by position',
    [act.id],
  );
  const still = async (side: string) => (await svc.takeStill(act.id, notaryId, { peerId: 'signer-1', side })).sha256;
  await svc.establishIdentity(act.id, notaryId, [
    {
      signerId: signers[0]!.id,
      method: 'id_comparison',
      idDocument: '居民身份证（公安部）',
      images: { front: await still('front'), back: await still('back'), face: await still('face') },
    },
    { signerId: signers[1]!.id, method: 'credible_witness', witnessName: '王五' },
  ]);
}

async function completeAct(svc: NotaryService, act: ActRecord) {
  await svc.apply(act.id, { type: 'start' });
  await identify(svc, act);
  await svc.apply(act.id, { type: 'consentGiven' });
  await svc.apply(act.id, { type: 'documentSigned' });
  return svc.apply(act.id, { type: 'seal' });
}

/** Runs `sql` with the journal's triggers off, as the table's owner could: what the chain must catch. */
async function behindTheTriggers(sql: string, params: unknown[] = []): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.query('alter table notary_journal disable trigger user');
    await tx.query(sql, params);
    await tx.query('alter table notary_journal enable trigger user');
  });
}

beforeAll(async () => {
  testDb = await createTestDb();
  db = testDb.db;
  await addNotary(db, notaryId);
  recordings = new FileRecordings();
  service = new NotaryService(db, { recording: recordings, logger: quiet });
  journal = new NotaryJournal(db);
});

afterAll(async () => {
  await testDb?.drop();
  recordings?.remove();
});

describe('acts write chained entries', () => {
  let sealedId: NotaryActId;

  test('a sealed act writes one entry with both signers, their identity, the fee and the recording hash', async () => {
    const act = await scheduleAct();
    sealedId = act.id;
    const { journal: row, act: after } = await completeAct(service, act);
    expect(after.state).toBe('sealed');
    expect(row).toMatchObject({ seq: 1, prevHash: '0'.repeat(64) });
    const file = fs.readFileSync(path.join(recordings.dir, `${act.id}-1.mkv`));
    expect(row!.entry).toMatchObject({
      actId: act.id,
      actType: 'acknowledgment',
      outcome: 'sealed',
      jurisdiction: 'CN-ZJ',
      notary: { id: notaryId, name: '钱公证员' },
      fee: { amountMinor: 20000, currency: 'CNY' },
      recordings: [{ attempt: 1, reference: `${act.id}-1.mkv`, sha256: sha256(file) }],
      attempts: 1,
      signers: [
        {
          name: '张三',
          address: SIGNERS[0]!.address,
          identityMethod: 'id_comparison',
          idDocument: '居民身份证（公安部）',
        },
        { name: '李四', identityMethod: 'credible_witness', witnessName: '王五', externalChecks: [] },
      ],
    });
    // Retained ten years by default.
    expect(row!.retainUntil.getUTCFullYear() - row!.recordedAt.getUTCFullYear()).toBe(10);
  });

  test('an interrupted act keeps the first attempt’s recording and asks identity again', async () => {
    const act = await scheduleAct(service, '委托书签名确认');
    await service.apply(act.id, { type: 'start' });
    await identify(service, act);
    const paused = await service.apply(act.id, { type: 'interrupt', reason: 'signer connection lost' });
    expect(paused.act).toMatchObject({ state: 'interrupted', attempt: 1 });
    const resumed = await service.apply(act.id, { type: 'resume' });
    expect(resumed.act).toMatchObject({ state: 'identity', attempt: 2, identityMethod: null });
    await expect(service.apply(act.id, { type: 'consentGiven' })).rejects.toMatchObject({
      code: 'ACT_ILLEGAL_TRANSITION',
    });
    await identify(service, act);
    await service.apply(act.id, { type: 'consentGiven' });
    await service.apply(act.id, { type: 'documentSigned' });
    const { journal: row } = await service.apply(act.id, { type: 'seal' });
    expect(row).toMatchObject({ seq: 2, entry: { attempts: 2 } });
    expect(row!.entry.recordings.map((r) => r.attempt)).toEqual([1, 2]);
    expect(recordings.started.filter((s) => s.startsWith(act.id))).toEqual([`${act.id}#1`, `${act.id}#2`]);
  });

  test('identity images must be stills this attempt of the act took, and stills are taken at identity only', async () => {
    const act = await scheduleAct(service, '公证申请书');
    const [first, second] = await db.query<{ id: string }>(
      'select id from notary_act_signers where act_id = $1 order by position',
      [act.id],
    );
    await expect(service.takeStill(act.id, notaryId, { peerId: 'signer-1', side: 'face' })).rejects.toMatchObject({
      code: 'ACT_ILLEGAL_TRANSITION',
    });
    await service.apply(act.id, { type: 'start' });
    const face = await service.takeStill(act.id, notaryId, { peerId: 'signer-1', side: 'face' });
    const evidence = (front: string) => [
      { signerId: first!.id, method: 'id_comparison', idDocument: '护照', images: { front, face: face.sha256 } },
      { signerId: second!.id, method: 'personal_knowledge' },
    ];
    await expect(service.establishIdentity(act.id, notaryId, evidence(sha256(randomBytes(8))))).rejects.toMatchObject({
      code: 'BAD_REQUEST',
      message: 'identity images must be stills taken in this attempt of the act',
    });
    const front = await service.takeStill(act.id, notaryId, { peerId: 'signer-1', side: 'front' });
    const identified = await service.establishIdentity(act.id, notaryId, evidence(front.sha256));
    expect(identified.act.state).toBe('recital_consent');
  });

  test('an act aborted before it started is journaled with no identity and no recording', async () => {
    const act = await scheduleAct(service, '声明书');
    const { journal: row } = await service.apply(act.id, { type: 'abort', reason: 'signer did not appear' });
    expect(row!.entry).toMatchObject({ outcome: 'aborted', attempts: 0, recordings: [] });
    expect(row!.entry.signers.map((s) => s.identityMethod)).toEqual([null, null]);
  });

  test('a sealed act accepts no further move and writes no second entry', async () => {
    await expect(service.apply(sealedId, { type: 'abort', reason: 'late' })).rejects.toMatchObject({
      code: 'ACT_ILLEGAL_TRANSITION',
    });
    expect((await journal.rows()).map((r) => r.seq)).toEqual([1, 2, 3]);
    expect(new IdentityProviders().list()).toEqual([]); // none ships with the product
  });

  test('an external provider that fails to answer is stored as an error, and the journal says so', async () => {
    // A vendor that cannot be reached: what the product must record is that no verdict came, not a pass.
    const unreachable: IdentityProvider = {
      name: 'vendor-kba',
      kind: 'knowledge_based',
      check: () => Promise.reject(new Error('connect ECONNREFUSED 10.0.0.9:443')),
    };
    const svc = new NotaryService(db, {
      recording: recordings,
      providers: new IdentityProviders([unreachable]),
      logger: quiet,
    });
    const act = await scheduleAct(svc, '遗嘱签名见证');
    const [signer] = await db.query<{ id: ActSignerId }>('select id from notary_act_signers where act_id = $1', [
      act.id,
    ]);
    await expect(svc.runProviderCheck(act.id, signer!.id, 'vendor-kba', {})).rejects.toMatchObject({
      code: 'ACT_ILLEGAL_TRANSITION',
    });
    await svc.apply(act.id, { type: 'start' });
    await expect(svc.runProviderCheck(act.id, signer!.id, 'nobody', {})).rejects.toMatchObject({ code: 'NOT_FOUND' });
    const check = await svc.runProviderCheck(act.id, signer!.id, 'vendor-kba', {});
    expect(check).toMatchObject({ outcome: 'error', details: { error: 'connect ECONNREFUSED 10.0.0.9:443' } });
    const { journal: row } = await svc.apply(act.id, { type: 'abort', reason: 'identity could not be established' });
    expect(row!.entry.signers[0]!.externalChecks).toEqual([
      { provider: 'vendor-kba', kind: 'knowledge_based', outcome: 'error', reference: null, at: expect.any(String) },
    ]);
    expect(row!.entry.recordings).toHaveLength(1);
  });

  test('verifyJournal passes on the untouched journal', async () => {
    const result = await verifyJournal(db);
    expect(result).toMatchObject({ ok: true, entries: 4, problems: [], head: { lastSeq: 4, prunedSeq: 0 } });
    expect(result.head.lastHash).toBe((await journal.rows()).at(-1)!.hash);
  });
});

describe('the export for the notary', () => {
  test('JSON carries every entry with its hashes and the head, and re-verifies offline', async () => {
    const rows = await journal.rows();
    const exported = journalToJson(rows, await journal.head());
    expect(exported.head.lastHash).toBe(rows.at(-1)!.hash);
    expect(exported.entries.map((e) => e.seq)).toEqual([1, 2, 3, 4]);
    // A copy taken away can be checked without the database: each entry names its predecessor.
    for (const [i, e] of exported.entries.entries()) {
      expect(e.prevHash).toBe(i === 0 ? '0'.repeat(64) : exported.entries[i - 1]!.hash);
    }
  });

  test('CSV has one row per act with signers, identity, fee and recording hashes', async () => {
    const csv = journalToCsv(await journal.rows()).replace(/^\uFEFF/, '');
    const lines = csv.trimEnd().split('\r\n');
    expect(lines).toHaveLength(5);
    expect(lines[0]).toMatch(/^seq,recorded_at,performed_at,act_type,/);
    expect(lines[1]).toContain('张三 | 李四');
    expect(lines[1]).toContain(
      'ID document compared with the signer by the notary (居民身份证（公安部）) | Credible witness (王五)',
    );
    expect(lines[1]).toContain(',20000,CNY,');
    expect(lines[2]).toMatch(/#1 [0-9a-f-]+-1\.mkv sha256:[0-9a-f]{64} \| #2 /);
    await expect(journal.rows({ notaryId: randomUUID() })).resolves.toEqual([]);
  });
});

describe('the database guards the journal', () => {
  test('UPDATE is refused by the trigger', async () => {
    await expect(db.query(`update notary_journal set entry = '{}' where seq = 1`)).rejects.toThrow(/append-only/);
  });

  test('DELETE before the retention expires is refused, in SQL and through the journal', async () => {
    await expect(db.query('delete from notary_journal where seq = 1')).rejects.toThrow(/retained until/);
    await expect(journal.delete(2)).rejects.toMatchObject({ code: 'RETENTION_NOT_EXPIRED' });
    expect(await journal.pruneExpired()).toBe(0);
  });

  test('an entry that does not follow the head is refused on insert', async () => {
    const [row] = await journal.rows();
    await expect(
      db.query(
        `insert into notary_journal (seq, act_id, entry, recorded_at, retain_until, prev_hash, hash)
         values (9, $1, '{}', now(), now(), $2, $2)`,
        [row!.actId, row!.hash],
      ),
    ).rejects.toThrow(/does not follow/);
  });
});

describe('verifyJournal finds what was done behind the triggers', () => {
  test('an edited fee fails verification at that entry, and passes again once restored', async () => {
    const [row] = await journal.rows();
    await behindTheTriggers(
      `update notary_journal set entry = jsonb_set(entry, '{fee,amountMinor}', '1') where seq = 1`,
    );
    const broken = await verifyJournal(db);
    expect(broken.ok).toBe(false);
    expect(broken.problems).toEqual([{ seq: 1, problem: 'entry 1 was changed after it was written' }]);

    await behindTheTriggers('update notary_journal set entry = $1::jsonb where seq = 1', [JSON.stringify(row!.entry)]);
    expect((await verifyJournal(db)).ok).toBe(true);
  });

  test('an edited hash breaks the link to the next entry', async () => {
    const original = (await journal.rows())[1]!.hash;
    await behindTheTriggers(`update notary_journal set hash = repeat('a', 64) where seq = 2`);
    const broken = await verifyJournal(db);
    expect(broken.problems).toEqual([
      { seq: 2, problem: 'entry 2 was changed after it was written' },
      { seq: 3, problem: 'entry 3 does not follow the entry before it' },
    ]);
    await behindTheTriggers('update notary_journal set hash = $1 where seq = 2', [original]);
    expect((await verifyJournal(db)).ok).toBe(true);
  });

  // The CLI opens the embedded database itself, which the test holds open: PostgreSQL only.
  const cliTest = process.env.TEST_DB === 'pglite' ? test.skip : test;
  cliTest(
    'npm run journal:verify exits 0 on an intact journal and 1 naming the entry once a row is edited',
    async () => {
      const url = new URL(await testDatabaseUrl());
      url.searchParams.set('options', `-c search_path=${testDb.where}`);
      const run = () =>
        promisify(execFile)(path.resolve('node_modules/.bin/tsx'), ['server/cli/verifyJournal.ts'], {
          env: { ...process.env, DATABASE_URL: url.toString(), DATA_KEY: randomBytes(32).toString('base64') },
        }).then(
          ({ stdout }) => ({ code: 0, stdout }),
          (error: { code: number; stdout: string }) => ({ code: error.code, stdout: error.stdout }),
        );
      const intact = await run();
      expect(intact).toMatchObject({ code: 0, stdout: expect.stringContaining('journal intact: 4 entries') });

      const [row] = await journal.rows();
      await behindTheTriggers(
        `update notary_journal set entry = jsonb_set(entry, '{signers,0,name}', '"张四"') where seq = 1`,
      );
      const broken = await run();
      expect(broken.code).toBe(1);
      expect(broken.stdout).toContain('#1: entry 1 was changed after it was written');
      await behindTheTriggers('update notary_journal set entry = $1::jsonb where seq = 1', [
        JSON.stringify(row!.entry),
      ]);
    },
  );

  test('an entry slipped in after the head is found', async () => {
    const [last] = (await journal.rows()).slice(-1);
    await behindTheTriggers(
      `insert into notary_journal (seq, act_id, entry, recorded_at, retain_until, prev_hash, hash)
       select seq + 1, $1, entry, recorded_at, retain_until, hash, hash from notary_journal where seq = $2`,
      [(await scheduleAct()).id, last!.seq],
    );
    expect((await verifyJournal(db)).problems).toContainEqual({
      seq: last!.seq + 1,
      problem: `entry ${last!.seq + 1} lies past the journal's head: it was not appended`,
    });
    await behindTheTriggers('delete from notary_journal where seq = $1', [last!.seq + 1]);
    expect((await verifyJournal(db)).ok).toBe(true);
  });

  test('a deleted middle entry is found as a gap', async () => {
    const fresh = await createTestDb();
    try {
      await addNotary(fresh.db, notaryId);
      const svc = new NotaryService(fresh.db, { recording: recordings, logger: quiet });
      for (let i = 0; i < 3; i += 1) await svc.apply((await scheduleAct(svc)).id, { type: 'abort', reason: 'test' });
      expect((await verifyJournal(fresh.db)).ok).toBe(true);
      await fresh.db.transaction(async (tx) => {
        await tx.query('alter table notary_journal disable trigger user');
        await tx.query('delete from notary_journal where seq = 2');
        await tx.query('alter table notary_journal enable trigger user');
      });
      const broken = await verifyJournal(fresh.db);
      expect(broken.ok).toBe(false);
      expect(broken.problems[0]).toEqual({ seq: 3, problem: 'entries before 3 are missing: 2' });

      await fresh.db.transaction(async (tx) => {
        await tx.query('alter table notary_journal disable trigger user');
        await tx.query('delete from notary_journal where seq = 3');
        await tx.query('alter table notary_journal enable trigger user');
      });
      expect((await verifyJournal(fresh.db)).problems).toContainEqual({
        seq: 3,
        problem: "entries after 1 are missing (the journal's head is entry 3)",
      });
    } finally {
      await fresh.drop();
    }
  });
});

describe('retention and pruning', () => {
  test('with zero years of retention the oldest entries may be pruned, and the rest still verifies', async () => {
    const fresh = await createTestDb();
    try {
      await addNotary(fresh.db, notaryId);
      const svc = new NotaryService(fresh.db, {
        recording: recordings,
        logger: quiet,
        retention: { defaultYears: 10, byJurisdiction: { CN: 0 } },
      });
      for (let i = 0; i < 2; i += 1) await svc.apply((await scheduleAct(svc)).id, { type: 'abort', reason: 'test' });
      // Out of order is refused even when expired: only the oldest entry may go.
      await expect(new NotaryJournal(fresh.db).delete(2)).rejects.toMatchObject({ code: 'RETENTION_NOT_EXPIRED' });
      expect(await new NotaryJournal(fresh.db).pruneExpired()).toBe(2);
      await svc.apply((await scheduleAct(svc)).id, { type: 'abort', reason: 'test' });
      expect(await verifyJournal(fresh.db)).toMatchObject({ ok: true, entries: 1, head: { prunedSeq: 2, lastSeq: 3 } });
    } finally {
      await fresh.drop();
    }
  });
});
