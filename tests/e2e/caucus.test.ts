/**
 * A mediator and two parties in Chromium: both parties wait in the lobby, are
 * admitted, one is taken into a private caucus with the mediator, and the
 * other neither sees nor hears them. That is checked from mediasoup's own
 * transport stats (no RTP leaves the SFU towards the outsider) and from the
 * outsider's WebRTC stats, not from the UI. Then everyone comes back.
 */
import type { Page } from 'puppeteer-core';
import type { PeerId, RoomId } from '../../shared/ids';
import { launchChromium, type TestBrowser } from '../helpers/chromium';
import { eventually, sleep } from '../helpers/eventually';
import { inboundStats, joinByLink, type InboundStat } from '../helpers/pageClient';
import { startTestServer, type TestServer } from '../helpers/testServer';

let server: TestServer;
let roomId: RoomId;
let browsers: TestBrowser[] = [];
let mediator: Page, partyA: Page, partyB: Page;
let ids: { mediator: string; a: string; b: string };

beforeAll(async () => {
  server = await startTestServer();
  const room = await server.createRoom('Rent dispute, Building 7', { waitingRoom: true });
  roomId = room.roomId;
  browsers = await Promise.all([0, 1, 2].map(() => launchChromium()));
  const pages = await Promise.all(browsers.map((b) => b.browser.newPage()));
  [mediator, partyA, partyB] = pages as [Page, Page, Page];
  ids = {
    mediator: await joinByLink(mediator, room.links.mediator, 'Mediator Zhao'),
    a: await joinByLink(partyA, room.links.party, 'Li Wei'),
    b: await joinByLink(partyB, room.links.party, 'Wang Fang'),
  };
});

afterAll(async () => {
  await Promise.all(browsers.map((b) => b.close()));
  await server?.close();
});

const spaceOf = (page: Page) => page.evaluate(() => window.gridroom!.space);
const stat = (stats: InboundStat[], peerId: string, kind: 'audio' | 'video') =>
  stats.find((s) => s.peerId === peerId && s.kind === kind && s.source !== 'screen');

/** Resolves once `page` decodes video and receives audio from each of `peers`, rising over a second. */
async function receivesFrom(page: Page, peers: string[]): Promise<void> {
  const before = await eventually(
    async () => {
      const stats = await inboundStats(page);
      const ok = peers.every(
        (p) => (stat(stats, p, 'video')?.framesDecoded ?? 0) > 0 && (stat(stats, p, 'audio')?.packetsReceived ?? 0) > 0,
      );
      return ok ? stats : null;
    },
    { timeoutMs: 20_000, what: `receives from ${peers.length} peers` },
  );
  // Rising over at least a second; a loaded machine may freeze a frame for a moment, so allow a few tries.
  await sleep(1000);
  await eventually(
    async () => {
      const after = await inboundStats(page);
      return peers.every(
        (p) =>
          stat(after, p, 'video')!.framesDecoded > stat(before, p, 'video')!.framesDecoded &&
          stat(after, p, 'audio')!.packetsReceived > stat(before, p, 'audio')!.packetsReceived,
      );
    },
    { timeoutMs: 10_000, what: 'frames and packets rising' },
  );
}

/** RTP bytes the SFU sent towards a participant's browser, from mediasoup's transport stats. */
async function rtpBytesSentTo(peerId: string): Promise<number> {
  const room = await server.app.rooms.find(roomId);
  const recv = room!.media.getPeer(peerId as PeerId)!.transportFor('recv')!;
  const [stats] = await recv.getStats();
  return stats!.rtpBytesSent;
}

test('both parties wait in the lobby until the mediator admits them', async () => {
  expect(await spaceOf(partyA)).toBe('lobby');
  expect(await spaceOf(partyB)).toBe('lobby');
  await partyA.waitForSelector('[data-testid="lobby"]');
  // They see how long they have waited, so nothing looks stuck.
  const waited = await partyA.$eval('[data-testid="lobby-waited"]', (el) => el.textContent ?? '');
  expect(waited).toMatch(/\d+:\d\d/);
  await mediator.waitForSelector(`[data-testid="roster-entry"][data-peer-id="${ids.a}"][data-space="lobby"]`);
  await mediator.waitForSelector(`[data-testid="roster-entry"][data-peer-id="${ids.b}"][data-space="lobby"]`);
  // Nothing reaches a waiting party.
  expect(await rtpBytesSentTo(ids.a)).toBe(0);

  for (const id of [ids.a, ids.b]) {
    await mediator.click(`[data-testid="roster-entry"][data-peer-id="${id}"] [data-testid="admit"]`);
  }
  await eventually(async () => (await spaceOf(partyA)) === 'main' && (await spaceOf(partyB)) === 'main', {
    what: 'both admitted',
  });
  await receivesFrom(partyA, [ids.mediator, ids.b]);
  await receivesFrom(partyB, [ids.mediator, ids.a]);
  await receivesFrom(mediator, [ids.a, ids.b]);
});

test('in a caucus of the mediator and one party, the other party receives nothing of them', async () => {
  await mediator.click(`[data-testid="roster-entry"][data-peer-id="${ids.a}"] [data-testid="caucus"]`);
  await eventually(
    async () => (await spaceOf(partyA))?.startsWith('caucus-') && (await spaceOf(mediator)) === (await spaceOf(partyA)),
    {
      what: 'mediator and A in one caucus',
    },
  );
  await receivesFrom(partyA, [ids.mediator]);
  await receivesFrom(mediator, [ids.a]);

  // From the SFU: not one RTP byte towards B while the caucus lasts.
  const bytesBefore = await rtpBytesSentTo(ids.b);
  const statsBefore = await inboundStats(partyB);
  await sleep(2000);
  expect(await rtpBytesSentTo(ids.b)).toBe(bytesBefore);
  // From B's browser: nothing of A or the mediator is received any more.
  const statsAfter = await inboundStats(partyB);
  for (const id of [ids.a, ids.mediator]) {
    for (const kind of ['audio', 'video'] as const) {
      const before = stat(statsBefore, id, kind)?.packetsReceived ?? 0;
      expect(stat(statsAfter, id, kind)?.packetsReceived ?? 0).toBeLessThanOrEqual(before);
    }
  }
  await partyB.waitForSelector(`[data-testid="tile"][data-peer-id="${ids.a}"]`, { hidden: true });
  await partyB.waitForSelector(`[data-testid="tile"][data-peer-id="${ids.mediator}"]`, { hidden: true });

  // What A writes in the caucus reaches the mediator only.
  await partyA.click('[data-testid="chat-toggle"]');
  await partyA.type('[data-testid="chat-input"]', '我们可以分三期付款');
  await partyA.click('[data-testid="chat-send"]');
  await mediator.click('[data-testid="chat-toggle"]');
  await mediator.waitForFunction(
    () =>
      Array.from(document.querySelectorAll('[data-testid="chat-message"]')).some((m) =>
        m.textContent?.includes('分三期'),
      ),
    { timeout: 10_000 },
  );
  await partyB.click('[data-testid="chat-toggle"]');
  await partyB.waitForSelector('[data-testid="chat"]');
  const seenByB = await partyB.$$eval('[data-testid="chat-message"]', (ms) => ms.map((m) => m.textContent ?? ''));
  expect(seenByB.join(' ')).not.toContain('分三期');
});

test('when the mediator brings everyone back, all three see and hear each other again', async () => {
  await mediator.click('[data-testid="end-caucuses"]');
  await eventually(async () => (await spaceOf(partyA)) === 'main' && (await spaceOf(mediator)) === 'main', {
    what: 'back in the joint room',
  });
  await receivesFrom(partyB, [ids.mediator, ids.a]);
  await receivesFrom(partyA, [ids.mediator, ids.b]);
  await receivesFrom(mediator, [ids.a, ids.b]);
});
