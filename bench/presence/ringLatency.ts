/**
 * Request → ring latency, part of `npm run bench:presence`: two presence
 * nodes in this process (tests/helpers/presenceNode.ts: socket.io with the
 * Redis adapter, RedisPresenceStore, the dispatcher and its offer log on the
 * machine's PostgreSQL), an expert's page (socket.io-client) on node B and a
 * mediator's on node A. Each sample is from the mediator sending
 * `expertRequest:create` to the expert's page receiving `expert:ringing`:
 * the case read and authorised, the request and the offer written with their
 * audit rows, the query and the claim in Redis, the ring published through
 * Redis to node B and sent down the expert's websocket. The mediator then
 * cancels and the next sample starts once the expert is available again.
 * The same with both pages on node A, for the cost of the second node.
 */
import pino from 'pino';
import type { ExpertRecord } from '../../server/presence/ExpertStore';
import { eventually } from '../../tests/helpers/eventually';
import { createExpertPool } from '../../tests/helpers/expertPool';
import { connectPresence, goOnCall, staffSession, type PresenceClient } from '../../tests/helpers/presenceClient';
import { startPresenceNode, type PresenceNode } from '../../tests/helpers/presenceNode';
import { testPrefix } from '../../tests/helpers/redis';
import { createTestDb } from '../../tests/helpers/testDb';

export interface RingLatency {
  /** Expert on node B, mediator on node A. */
  acrossNodes: number[];
  /** Both on node A. */
  oneNode: number[];
}

export async function measureRingLatency(redisUrl: string, samples: number): Promise<RingLatency> {
  const quiet = pino({ level: 'silent' });
  const testDb = await createTestDb('postgres');
  const nodes: PresenceNode[] = [];
  const pages: PresenceClient[] = [];
  try {
    const pool = await createExpertPool(testDb.db);
    const prefix = testPrefix();
    for (let i = 0; i < 2; i++) {
      nodes.push(await startPresenceNode({ db: testDb.db, redisUrl, prefix, heartbeatTtlMs: 15_000, logger: quiet }));
    }
    const [a, b] = nodes as [PresenceNode, PresenceNode];
    const page = async (node: PresenceNode, staffId: ExpertRecord['staffId']) => {
      const client = await connectPresence(node.url, await staffSession(testDb.db, staffId));
      pages.push(client);
      return client;
    };
    // A page may send 30 requests at once and 10/s after (the namespace's rate limit); a sample takes
    // two, so a new mediator page every 12 samples keeps the limiter out of the figures.
    let mediator: PresenceClient | undefined;

    const run = async (expertNode: PresenceNode, name: string, n: number): Promise<number[]> => {
      const record = await pool.addExpert(name);
      const expert = await page(expertNode, record.staffId);
      await goOnCall(expert, 5000);
      const took: number[] = [];
      for (let i = 0; i < n; i++) {
        if (i % 12 === 0) mediator = await page(a, pool.mediatorId);
        const rung = new Promise<number>((resolve) =>
          expert.socket.once('expert:ringing', () => resolve(performance.now())),
        );
        const start = performance.now();
        const reply = await mediator!.request('expertRequest:create', { caseId: pool.caseId, specialty: 'traffic' });
        if (!reply.ok || reply.data.status !== 'ringing') throw new Error(`request ${i}: ${JSON.stringify(reply)}`);
        took.push((await rung) - start);
        const cancelled = await mediator!.request('expertRequest:cancel', { requestId: reply.data.requestId });
        if (!cancelled.ok) throw new Error(`cancel ${i}: ${JSON.stringify(cancelled)}`);
        await eventually(async () => (await a.store.get(record.id)).state === 'available', { intervalMs: 1 });
      }
      expert.socket.disconnect();
      await eventually(async () => (await a.store.get(record.id)).state === 'offline', { intervalMs: 5 });
      return took;
    };
    // Warm-up: connections, prepared plans and script caches, then the measured runs.
    await run(b, '预热专家', 20);
    const acrossNodes = await run(b, '乙节点专家', samples);
    const oneNode = await run(a, '甲节点专家', samples);
    return { acrossNodes, oneNode };
  } finally {
    for (const client of pages) client.socket.disconnect();
    for (const [i, node] of nodes.entries()) await node.close({ cleanUp: i === 0 });
    await testDb.drop();
  }
}
