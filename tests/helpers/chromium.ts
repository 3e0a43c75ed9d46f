/**
 * Debian's Chromium, headless, with a fake camera and microphone and nothing
 * that reaches for the internet. Each browser gets its own profile folder,
 * removed after the browser process has exited.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import puppeteer, { type Browser } from 'puppeteer-core';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export interface TestBrowser {
  browser: Browser;
  close(): Promise<void>;
}

export async function launchChromium(extraArgs: string[] = []): Promise<TestBrowser> {
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gridroom-chromium-'));
  const browser = await puppeteer.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    userDataDir,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-quic',
      '--use-fake-device-for-media-stream',
      '--use-fake-ui-for-media-stream',
      '--autoplay-policy=no-user-gesture-required',
      // Background pages must keep decoding: the tests look at every page's stats at once.
      '--disable-background-timer-throttling',
      '--disable-renderer-backgrounding',
      '--disable-backgrounding-occluded-windows',
      ...extraArgs,
    ],
  });
  let closed: Promise<void> | undefined;
  const close = () =>
    (closed ??= (async () => {
      await browser.close().catch(() => undefined);
      // Chromium's helpers may still be writing into the profile for a moment after
      // the main process exits: retry, and never fail a test over a temp folder.
      await fs.promises
        .rm(userDataDir, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 })
        .catch(() => undefined);
    })());
  return { browser, close };
}
