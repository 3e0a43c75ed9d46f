/**
 * The public verification page in Chromium, as anyone holding a notarized PDF
 * uses it: open the page, pick the file, read the verdict. The same file with
 * one byte changed is refused.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { ElementHandle, Page } from 'puppeteer-core';
import { launchChromium, type TestBrowser } from '../helpers/chromium';
import { createNotarizedFixture, NOTARY, type NotarizedFixture } from '../helpers/notarizedFixture';

let f: NotarizedFixture;
let chromium: TestBrowser;
let page: Page;

beforeAll(async () => {
  f = await createNotarizedFixture();
  chromium = await launchChromium();
  page = await chromium.browser.newPage();
});

afterAll(async () => {
  await chromium?.close();
  await f?.close();
});

async function pick(file: string): Promise<{ verdict: string; details: string }> {
  await page.goto(`${f.baseUrl}/api/notary/verify`);
  const input = (await page.waitForSelector('#file')) as ElementHandle<HTMLInputElement>;
  await input.uploadFile(file);
  await page.waitForFunction(() => /✓|✗/.test(document.getElementById('verdict')?.textContent ?? ''));
  return page.evaluate(() => ({
    verdict: document.getElementById('verdict')!.textContent!,
    details: document.getElementById('details')!.textContent!,
  }));
}

test('a notarized PDF picked on the page is shown intact, with who sealed it, the act, journal entry and recording', async () => {
  const { verdict, details } = await pick(path.join(f.dir, 'sealed.pdf'));
  expect(verdict).toContain('Intact and validly sealed');
  expect(details).toContain(NOTARY);
  expect(details).toContain(f.binding.actId);
  expect(details).toContain(`#${f.binding.journalSeq}`);
  expect(details).toContain(f.binding.recordingSha256[0]);
  expect(details).toContain('agrees');
});

test('the same PDF with one byte changed is shown as not verified, saying why', async () => {
  const tampered = Buffer.from(f.sealed);
  tampered[10] = tampered[10]! ^ 0x01;
  const file = path.join(f.dir, 'tampered.pdf');
  fs.writeFileSync(file, tampered);
  const { verdict, details } = await pick(file);
  expect(verdict).toContain('Not verified');
  expect(details).toContain('digest mismatch');
});
