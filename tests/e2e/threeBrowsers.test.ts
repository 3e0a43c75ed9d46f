/**
 * Three real Chromium browsers (fake camera and microphone) join one link on
 * the real server with a real mediasoup worker. Every claim is read from
 * WebRTC stats, never from the UI alone.
 */
import type { Page } from 'puppeteer-core';
import type { PeerId, RoomId } from '../../shared/ids';
import { launchChromium, type TestBrowser } from '../helpers/chromium';
import { eventually, sleep } from '../helpers/eventually';
import { startTestServer, type TestServer } from '../helpers/testServer';
import { inboundStats, joinByLink, type InboundStat } from '../helpers/pageClient';

const NAMES = ['Li Wei', 'Wang Fang', 'Zhang Min'];
// The probe bug showed within seconds of a third peer joining; 30 s is the bar.
const ROOM_RUN_MS = 30_000;
const REJOIN_EVERY_MS = 6_000;

let server: TestServer;
let browsers: TestBrowser[] = [];
let pages: Page[] = [];
let peerIds: string[] = [];
let partyLink: string;
let roomId: RoomId;
let joinedAt = 0;

beforeAll(async () => {
  // One worker: every transport shares it, which is where the shared probe buffer hurt.
  server = await startTestServer({ MEDIA_WORKERS: '1' });
  const room = await server.createRoom('Three browsers');
  partyLink = room.links.party;
  roomId = room.roomId;
  browsers = await Promise.all(NAMES.map(() => launchChromium()));
  pages = await Promise.all(browsers.map((b) => b.browser.newPage()));
  peerIds = await Promise.all(pages.map((page, i) => joinByLink(page, partyLink, NAMES[i]!)));
  joinedAt = Date.now();
});

afterAll(async () => {
  await Promise.all(browsers.map((b) => b.close()));
  await server?.close();
});

function fromPeer(stats: InboundStat[], peerId: string, kind: 'audio' | 'video'): InboundStat | undefined {
  return stats.find((s) => s.peerId === peerId && s.kind === kind && s.source !== 'screen');
}

test('each browser decodes video and receives audio from the other two, rising for over a second', async () => {
  for (const [i, page] of pages.entries()) {
    const others = peerIds.filter((_, j) => j !== i);
    const first = await eventually(
      async () => {
        const stats = await inboundStats(page);
        const ok = others.every(
          (p) =>
            (fromPeer(stats, p, 'video')?.framesDecoded ?? 0) > 0 &&
            (fromPeer(stats, p, 'audio')?.packetsReceived ?? 0) > 0,
        );
        return ok ? stats : null;
      },
      { timeoutMs: 30_000, what: `${NAMES[i]} receives both others` },
    );
    // Rising over at least a second; a loaded machine may freeze a frame for a moment, so allow a few tries.
    await sleep(1200);
    const later = await eventually(
      async () => {
        const stats = await inboundStats(page);
        const rising = others.every(
          (p) =>
            fromPeer(stats, p, 'video')!.framesDecoded > fromPeer(first, p, 'video')!.framesDecoded &&
            fromPeer(stats, p, 'audio')!.packetsReceived > fromPeer(first, p, 'audio')!.packetsReceived,
        );
        return rising ? stats : null;
      },
      { timeoutMs: 10_000, what: `${NAMES[i]}: frames and packets rising` },
    );
    for (const other of others) {
      const frames = [fromPeer(first, other, 'video')!.framesDecoded, fromPeer(later, other, 'video')!.framesDecoded];
      const packets = [
        fromPeer(first, other, 'audio')!.packetsReceived,
        fromPeer(later, other, 'audio')!.packetsReceived,
      ];
      console.log(
        `${NAMES[i]} <- ${other.slice(0, 8)}: framesDecoded ${frames.join(' -> ')}, audio packetsReceived ${packets.join(' -> ')}`,
      );
      expect(frames[1]).toBeGreaterThan(frames[0]!);
      expect(packets[1]).toBeGreaterThan(packets[0]!);
    }
  }
});

test('a 30-second three-browser room with a party rejoining logs no SRTP replay failure while probing runs', async () => {
  // The bug: every transport's probe generator shared one packet buffer, so each
  // new transport (a party whose phone reconnects) reset the probe sequence of
  // all the others and SRTP refused their probes as replays. With the unpatched
  // worker this scenario logged 48 to 96 "replay check failed" lines; so it rejoins.
  const rejoin = pages[2]!;
  while (Date.now() - joinedAt < ROOM_RUN_MS - REJOIN_EVERY_MS) {
    await sleep(REJOIN_EVERY_MS);
    await rejoin.reload();
    peerIds[2] = await eventually(
      () => rejoin.evaluate(() => (window.gridroom?.state === 'joined' ? window.gridroom.peerId : null)),
      { timeoutMs: 30_000, what: 'rejoined' },
    );
  }
  await sleep(Math.max(0, ROOM_RUN_MS - (Date.now() - joinedAt)));
  const live = await server.app.rooms.find(roomId);
  expect(live).toBeDefined();
  // The SFU probes towards each browser on its recv transport; without probing this test would prove
  // nothing. The two who stayed all along must have probed (the rejoined one's transport may be seconds old).
  const probed = await Promise.all(
    peerIds.map(async (peerId) => {
      const recv = live!.media.getPeer(peerId as PeerId)?.transportFor('recv');
      const [stats] = recv ? await recv.getStats() : [];
      return stats?.probationBytesSent ?? 0;
    }),
  );
  console.log(`probation bytes sent per recv transport: ${probed.join(', ')}`);
  expect(probed[0]).toBeGreaterThan(0);
  expect(probed[1]).toBeGreaterThan(0);
  const replay = server.logs.filter((l) => /replay check failed/.test(l.msg));
  const warnings = server.logs.filter((l) => l.level >= 40);
  console.log(
    `worker log after ${Math.round((Date.now() - joinedAt) / 1000)} s: ${replay.length} replay failures among ${warnings.length} warnings`,
  );
  expect(replay).toEqual([]);
});

test('when one browser leaves, its tile disappears for the other two', async () => {
  const leaving = peerIds[2]!;
  for (const page of pages.slice(0, 2)) {
    expect(await page.$(`[data-testid="tile"][data-peer-id="${leaving}"]`)).not.toBeNull();
  }
  await pages[2]!.click('[data-testid="leave-button"]');
  for (const page of pages.slice(0, 2)) {
    await page.waitForSelector(`[data-testid="tile"][data-peer-id="${leaving}"]`, { hidden: true, timeout: 10_000 });
  }
  await eventually(async () => (await server.app.rooms.find(roomId))?.joinedPeers.length === 2, {
    what: 'server sees two peers',
  });
});

test('a tampered link shows the error page, in Chinese and English, without a stack trace', async () => {
  const page = await browsers[2]!.browser.newPage();
  const tampered = partyLink.slice(0, -3) + (partyLink.endsWith('AAA') ? 'BBB' : 'AAA');
  const response = await page.goto(tampered);
  expect(response?.status()).toBe(401);
  const error = await page.waitForSelector('[data-testid="link-error"]');
  expect(await error!.evaluate((el) => el.getAttribute('data-code'))).toBe('INVALID_LINK');
  const text = await page.evaluate(() => document.body.innerText);
  expect(text).toContain('链接无效');
  expect(text).toContain('This link is not valid');
  expect(text).not.toMatch(/at .*\.(ts|js):\d+/);
});
