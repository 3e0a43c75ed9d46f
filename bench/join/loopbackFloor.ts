/**
 * The floor no SFU join can beat on this machine: a page that sends its own
 * fake camera through two RTCPeerConnections in the same page, from
 * navigation to the first decoded remote frame (getUserMedia included).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser } from 'puppeteer-core';

const PAGE = `<!doctype html><video id="v" autoplay muted playsinline></video><script>
(async () => {
  const stream = await navigator.mediaDevices.getUserMedia({ video: true, audio: true });
  const a = new RTCPeerConnection(), b = new RTCPeerConnection();
  a.onicecandidate = (e) => e.candidate && b.addIceCandidate(e.candidate);
  b.onicecandidate = (e) => e.candidate && a.addIceCandidate(e.candidate);
  b.ontrack = (e) => {
    if (e.track.kind !== 'video') return;
    const v = document.getElementById('v');
    v.srcObject = new MediaStream([e.track]);
    v.requestVideoFrameCallback(() => { window.firstFrameMs = performance.now(); });
  };
  stream.getTracks().forEach((t) => a.addTrack(t, stream));
  await a.setLocalDescription(await a.createOffer());
  await b.setRemoteDescription(a.localDescription);
  await b.setLocalDescription(await b.createAnswer());
  await a.setRemoteDescription(b.localDescription);
})();
</script>`;

export async function loopbackFloorMs(browser: Browser, runs: number): Promise<number[]> {
  // Served from localhost because getUserMedia needs a secure context (a data: URL is not one).
  const server = http.createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end(PAGE));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://localhost:${(server.address() as AddressInfo).port}/`;
  const results: number[] = [];
  try {
    for (let i = 0; i < runs; i++) results.push(await measureOnce(browser, url));
  } finally {
    server.close();
  }
  return results;
}

async function measureOnce(browser: Browser, url: string): Promise<number> {
  const context = await browser.createBrowserContext();
  try {
    const page = await context.newPage();
    await page.goto(url);
    await page.waitForFunction(() => (window as unknown as { firstFrameMs?: number }).firstFrameMs !== undefined, {
      timeout: 20_000,
    });
    return await page.evaluate(() => (window as unknown as { firstFrameMs: number }).firstFrameMs);
  } finally {
    await context.close();
  }
}
