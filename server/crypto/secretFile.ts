/**
 * A secret generated once into the data folder and read back on every start
 * (the embedded default's data key and link-signing secret), so that what it
 * protects or signs outlives a restart. Readable by the owner only.
 */
import fs from 'node:fs';
import path from 'node:path';

/** The secret in `file`, written by `generate()` first when there is none; `created` tells which. */
export function readOrCreateSecret(file: string, generate: () => string): { value: string; created: boolean } {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  let created = false;
  try {
    // 'wx': if two processes race here, exactly one writes and the other reads its secret.
    fs.writeFileSync(file, `${generate()}\n`, { flag: 'wx', mode: 0o600 });
    created = true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  return { value: fs.readFileSync(file, 'utf8').trim(), created };
}
