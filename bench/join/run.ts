/**
 * Join benchmark (not a test): 20 joins of a real Chromium page into a room
 * where two other browsers publish camera and microphone. For each join it
 * reads the client's performance marks, from the click on "join" to the first
 * decoded frame of remote video, and prints p50/p95 of the whole and of each
 * step. In the same run it measures the floor: a page that loops its own fake
 * camera through two RTCPeerConnections (no server at all), navigation to
 * first decoded frame.
 *
 *   npm run bench            (JOINS=20 by default)
 */
import { createApp } from '../../server/app';
import { parseConfig } from '../../server/config';
import { createLogger, routeMediasoupLogs } from '../../server/logger';
import { launchChromium, type TestBrowser } from '../../tests/helpers/chromium';
import { eventually } from '../../tests/helpers/eventually';
import { joinByLink } from '../../tests/helpers/pageClient';
import { loopbackFloorMs } from './loopbackFloor';

const JOINS = Number(process.env.JOINS ?? 20);
const STEPS = [
  ['socket connect', 'gridroom:click', 'gridroom:socketConnected'],
  ['router capabilities', 'gridroom:socketConnected', 'gridroom:routerCapabilities'],
  ['transports', 'gridroom:routerCapabilities', 'gridroom:transportsCreated'],
  ['join', 'gridroom:transportsCreated', 'gridroom:joined'],
  ['ICE+DTLS connected', 'gridroom:joined', 'gridroom:iceDtlsConnected'],
  ['first frame', 'gridroom:iceDtlsConnected', 'gridroom:firstRemoteFrame'],
  ['total: click -> first remote frame', 'gridroom:click', 'gridroom:firstRemoteFrame'],
] as const;

function percentile(sorted: number[], p: number): number {
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index]!;
}

async function main(): Promise<void> {
  const config = parseConfig({ PORT: '0', HOST: '127.0.0.1', DEMO_ROOM: 'false', LOG_LEVEL: 'warn' });
  const logger = createLogger('warn');
  routeMediasoupLogs(logger);
  const app = await createApp(config, { logger });
  const browsers: TestBrowser[] = [];
  try {
    const room = await app.createRoomWithLinks({ title: 'Join benchmark' });
    // Two publishers, each in its own browser process, as in a real mediation.
    for (const name of ['Publisher A', 'Publisher B']) {
      const b = await launchChromium();
      browsers.push(b);
      await joinByLink(await b.browser.newPage(), room.links.party, name);
    }
    const joiner = await launchChromium();
    browsers.push(joiner);

    const samples: Record<string, number[]> = Object.fromEntries(STEPS.map(([label]) => [label, []]));
    for (let i = 0; i < JOINS; i++) {
      const context = await joiner.browser.createBrowserContext();
      const page = await context.newPage();
      await page.goto(room.links.party);
      await page.waitForSelector('[data-testid="name-input"]');
      await page.type('[data-testid="name-input"]', `Joiner ${i + 1}`);
      await page.waitForSelector('[data-testid="join-button"]:not([disabled])');
      await page.click('[data-testid="join-button"]');
      const marks = await eventually(
        () =>
          page.evaluate(() => {
            const all = Object.fromEntries(
              performance.getEntriesByType('mark').map((m) => [m.name, m.startTime] as const),
            );
            return all['gridroom:firstRemoteFrame'] !== undefined ? all : null;
          }),
        { timeoutMs: 30_000, intervalMs: 20, what: `join ${i + 1} first remote frame` },
      );
      for (const [label, from, to] of STEPS) samples[label]!.push(marks[to]! - marks[from]!);
      process.stdout.write(
        `join ${i + 1}/${JOINS}: ${(marks['gridroom:firstRemoteFrame']! - marks['gridroom:click']!).toFixed(0)} ms\n`,
      );
      await context.close();
    }

    const floor = await loopbackFloorMs(joiner.browser, 5);
    console.log(`\n${JOINS} joins into a room with 2 publishing peers (1 worker per core, loopback)\n`);
    console.log('step                                  p50 ms   p95 ms');
    for (const [label] of STEPS) {
      const sorted = [...samples[label]!].sort((a, b) => a - b);
      console.log(
        `${label.padEnd(36)} ${percentile(sorted, 50).toFixed(0).padStart(7)} ${percentile(sorted, 95).toFixed(0).padStart(8)}`,
      );
    }
    const total = [...samples[STEPS.at(-1)![0]]!].sort((a, b) => a - b);
    const floorP50 = percentile(
      [...floor].sort((a, b) => a - b),
      50,
    );
    console.log(
      `\nfloor: same-page RTCPeerConnection loopback, navigation -> first frame, p50 of ${floor.length}: ${floorP50.toFixed(0)} ms`,
    );
    console.log(`ratio: join p50 / floor p50 = ${(percentile(total, 50) / floorP50).toFixed(2)}`);
  } finally {
    await Promise.all(browsers.map((b) => b.close()));
    await app.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
