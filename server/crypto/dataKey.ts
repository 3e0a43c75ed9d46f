/**
 * The key of protected fields. Configured as DATA_KEY (required with
 * DATABASE_URL: every server must share it); for the embedded default it is
 * generated once into the data folder, beside the database it protects.
 */
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import type { Logger } from 'pino';
import type { Config } from '../config';
import { readOrCreateSecret } from './secretFile';

export function resolveDataKey(config: Pick<Config, 'dataKey' | 'database'>, logger: Logger): Buffer {
  if (config.dataKey) return config.dataKey;
  if (config.database.url) throw new Error('DATA_KEY must be set when DATABASE_URL is');
  const file = path.join(config.database.dataDir, 'data-key');
  const { value, created } = readOrCreateSecret(file, () => randomBytes(32).toString('base64'));
  if (created) {
    logger.warn(
      { file },
      'resolveDataKey(): generated a data key; back it up with the data folder (ID numbers cannot be read without it)',
    );
  }
  const key = Buffer.from(value, 'base64');
  if (key.length !== 32) throw new Error(`${file} does not hold a 32-byte base64 key`);
  return key;
}
