/** The records' configuration: where the database is, the data key, session length. */
import path from 'node:path';
import { type ConfigError, loggableConfig, parseConfig } from '../../server/config';

const KEY_B64 = Buffer.alloc(32, 7).toString('base64');
const KEY_HEX = Buffer.alloc(32, 7).toString('hex');

function problemsOf(env: Record<string, string>): string[] {
  try {
    parseConfig(env);
  } catch (error) {
    return (error as ConfigError).problems;
  }
  throw new Error('accepted');
}

test('by default the records live in the embedded database under ./.data, with 12-hour sessions', () => {
  const config = parseConfig({});
  expect(config.database).toEqual({ url: undefined, dataDir: path.resolve('.data') });
  expect(config.dataKey).toBeUndefined();
  expect(config.sessionTtlSeconds).toBe(12 * 3600);
});

test('DATA_DIR is made absolute against the working directory', () => {
  expect(parseConfig({ DATA_DIR: 'var/gridroom' }).database.dataDir).toBe(path.resolve('var/gridroom'));
});

test('DATA_KEY is read as 64 hex digits or as base64, and must be 32 bytes', () => {
  expect(parseConfig({ DATA_KEY: KEY_B64 }).dataKey).toEqual(Buffer.alloc(32, 7));
  expect(parseConfig({ DATA_KEY: KEY_HEX }).dataKey).toEqual(Buffer.alloc(32, 7));
  expect(problemsOf({ DATA_KEY: 'c2hvcnQ=' })[0]).toMatch(/^DATA_KEY: must be 32 bytes/);
});

test('DATABASE_URL must be a postgres URL and comes with a DATA_KEY shared by every server', () => {
  expect(problemsOf({ DATABASE_URL: 'mysql://db/x', DATA_KEY: KEY_B64 })[0]).toMatch(/^DATABASE_URL: /);
  expect(problemsOf({ DATABASE_URL: 'postgresql://app@db/gridroom' })).toEqual([
    expect.stringMatching(/^DATA_KEY: is required when DATABASE_URL/),
  ]);
  const config = parseConfig({ DATABASE_URL: 'postgres://app:pw@db:5432/gridroom', DATA_KEY: KEY_B64 });
  expect(config.database.url).toBe('postgres://app:pw@db:5432/gridroom');
});

test('SESSION_TTL_HOURS sets the session length, up to 30 days', () => {
  expect(parseConfig({ SESSION_TTL_HOURS: '0.5' }).sessionTtlSeconds).toBe(1800);
  expect(problemsOf({ SESSION_TTL_HOURS: '721' })[0]).toMatch(/^SESSION_TTL_HOURS: /);
});

test('the log line shows neither the database password nor the data key', () => {
  const config = parseConfig({ DATABASE_URL: 'postgres://app:s3cret@db:5432/gridroom', DATA_KEY: KEY_B64 });
  const line = JSON.stringify(loggableConfig(config));
  expect(line).not.toContain('s3cret');
  expect(line).not.toContain(KEY_B64);
  expect(loggableConfig(config)).toMatchObject({
    dataKey: '***',
    database: { url: 'postgres://app:***@db:5432/gridroom' },
  });
});
