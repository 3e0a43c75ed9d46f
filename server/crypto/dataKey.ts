/**
 * The key of protected fields. Configured as DATA_KEY (required with
 * DATABASE_URL: every server must share it); for the embedded default it is
 * generated once into the data folder, beside the database it protects.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import type { Config } from '../config';

export function resolveDataKey(config: Pick<Config, 'dataKey' | 'database'>, logger: Logger): Buffer {
  if (config.dataKey) return config.dataKey;
  if (config.database.url) throw new Error('DATA_KEY must be set when DATABASE_URL is');
  const file = path.join(config.database.dataDir, 'data-key');
  fs.mkdirSync(config.database.dataDir, { recursive: true });
  try {
    // 'wx': if two processes race here, exactly one writes and the other reads its key.
    fs.writeFileSync(file, `${randomBytes(32).toString('base64')}\n`, { flag: 'wx', mode: 0o600 });
    logger.warn(
      { file },
      'resolveDataKey(): generated a data key; back it up with the data folder (ID numbers cannot be read without it)',
    );
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  const key = Buffer.from(fs.readFileSync(file, 'utf8').trim(), 'base64');
  if (key.length !== 32) throw new Error(`${file} does not hold a 32-byte base64 key`);
  return key;
}
