/**
 * Debian's poppler `pdfsig`, with an NSS database (made by certutil) that
 * trusts one CA. pdfsig exits 0 whatever it finds, so callers check its text.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/** Makes `<dir>/nss` trusting `caPem` and returns pdfsig run against it. */
export function pdfsigTrusting(dir: string, caPem: string): (file: string) => string {
  const nss = path.join(dir, 'nss');
  fs.mkdirSync(nss, { recursive: true });
  const caFile = path.join(dir, 'ca.pem');
  fs.writeFileSync(caFile, caPem);
  execFileSync('certutil', ['-N', '-d', `sql:${nss}`, '--empty-password']);
  execFileSync('certutil', ['-A', '-d', `sql:${nss}`, '-n', 'gridroom-ca', '-t', 'CT,C,C', '-i', caFile]);
  return (file) => execFileSync('pdfsig', ['-nssdir', `sql:${nss}`, '-no-ocsp', file], { encoding: 'utf8' });
}
