/**
 * parseConfig() is the only reader of the environment: defaults, every
 * variable, and errors an operator can act on without reading the source.
 */
import os from 'node:os';
import path from 'node:path';
import { ConfigError, loggableConfig, parseConfig } from '../../server/config';

const SECRET_A = 'a-token-secret-that-is-long-enough-1234';
const SECRET_B = 'an-admin-token-that-is-long-enough-5678';

/** The problems parseConfig() reports for `env`; fails the test when it accepts it. */
function problemsOf(env: Record<string, string>): string[] {
  try {
    parseConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  throw new Error(`parseConfig accepted ${JSON.stringify(env)}`);
}

describe('defaults', () => {
  const config = parseConfig({});

  test('an empty environment listens on 0.0.0.0:3000 with media on 127.0.0.1:40000-49999', () => {
    expect(config.port).toBe(3000);
    expect(config.host).toBe('0.0.0.0');
    expect(config.rtc).toEqual({
      listenIp: '127.0.0.1',
      announcedAddress: undefined,
      minPort: 40000,
      maxPort: 49999,
      workers: os.availableParallelism(),
      workerBin: undefined,
    });
  });

  test('an empty environment logs at info, links live a week and the demo room is on', () => {
    expect(config.publicUrl).toBeUndefined();
    expect(config.logLevel).toBe('info');
    expect(config.linkTtlSeconds).toBe(7 * 24 * 3600);
    expect(config.demoRoom).toBe(true);
  });

  test('missing secrets are generated, differ from each other and are listed in generatedSecrets', () => {
    expect(config.generatedSecrets).toEqual(['TOKEN_SECRET', 'ADMIN_TOKEN']);
    expect(config.tokenSecret.length).toBeGreaterThanOrEqual(32);
    expect(config.adminToken.length).toBeGreaterThanOrEqual(32);
    expect(config.tokenSecret).not.toBe(config.adminToken);
  });

  test('each process start generates new secrets', () => {
    expect(parseConfig({}).tokenSecret).not.toBe(config.tokenSecret);
  });

  test('an empty variable counts as not set', () => {
    const blank = parseConfig({ PORT: '', LOG_LEVEL: '', TOKEN_SECRET: '' });
    expect(blank.port).toBe(3000);
    expect(blank.logLevel).toBe('info');
    expect(blank.generatedSecrets).toContain('TOKEN_SECRET');
  });
});

describe('every variable is parsed', () => {
  test('PORT and HOST are taken as given', () => {
    const config = parseConfig({ PORT: '8443', HOST: '127.0.0.1' });
    expect(config.port).toBe(8443);
    expect(config.host).toBe('127.0.0.1');
  });

  test('PORT=0 is allowed (the OS picks a port)', () => {
    expect(parseConfig({ PORT: '0' }).port).toBe(0);
  });

  test('PUBLIC_URL loses its trailing slashes so links never contain "//join"', () => {
    expect(parseConfig({ PUBLIC_URL: 'https://mediation.example.cn/' }).publicUrl).toBe('https://mediation.example.cn');
    expect(parseConfig({ PUBLIC_URL: 'https://example.cn/gridroom//' }).publicUrl).toBe('https://example.cn/gridroom');
    expect(parseConfig({ PUBLIC_URL: 'http://10.0.0.5:3000' }).publicUrl).toBe('http://10.0.0.5:3000');
  });

  test('the RTC_* variables set the media addresses and port range', () => {
    const config = parseConfig({
      RTC_LISTEN_IP: '0.0.0.0',
      RTC_ANNOUNCED_IP: '203.0.113.7',
      RTC_MIN_PORT: '41000',
      RTC_MAX_PORT: '41010',
    });
    expect(config.rtc.listenIp).toBe('0.0.0.0');
    expect(config.rtc.announcedAddress).toBe('203.0.113.7');
    expect(config.rtc.minPort).toBe(41000);
    expect(config.rtc.maxPort).toBe(41010);
  });

  test('RTC_LISTEN_IP accepts an IPv6 address', () => {
    expect(parseConfig({ RTC_LISTEN_IP: '::1' }).rtc.listenIp).toBe('::1');
  });

  test('MEDIA_WORKERS and MEDIASOUP_WORKER_BIN choose the workers', () => {
    const config = parseConfig({ MEDIA_WORKERS: '3', MEDIASOUP_WORKER_BIN: '/opt/mediasoup-worker' });
    expect(config.rtc.workers).toBe(3);
    expect(config.rtc.workerBin).toBe('/opt/mediasoup-worker');
  });

  test('LOG_LEVEL takes each pino level', () => {
    for (const level of ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const) {
      expect(parseConfig({ LOG_LEVEL: level }).logLevel).toBe(level);
    }
  });

  test('configured secrets are used as they are and not listed as generated', () => {
    const config = parseConfig({ TOKEN_SECRET: SECRET_A, ADMIN_TOKEN: SECRET_B });
    expect(config.tokenSecret).toBe(SECRET_A);
    expect(config.adminToken).toBe(SECRET_B);
    expect(config.generatedSecrets).toEqual([]);
  });

  test('only the missing secret is generated when one of the two is set', () => {
    const config = parseConfig({ ADMIN_TOKEN: SECRET_B });
    expect(config.adminToken).toBe(SECRET_B);
    expect(config.generatedSecrets).toEqual(['TOKEN_SECRET']);
  });

  test('LINK_TTL_HOURS becomes whole seconds, fractions included', () => {
    expect(parseConfig({ LINK_TTL_HOURS: '48' }).linkTtlSeconds).toBe(48 * 3600);
    expect(parseConfig({ LINK_TTL_HOURS: '0.5' }).linkTtlSeconds).toBe(1800);
  });

  test('DEMO_ROOM understands true/false and 1/0', () => {
    expect(parseConfig({ DEMO_ROOM: 'false' }).demoRoom).toBe(false);
    expect(parseConfig({ DEMO_ROOM: '0' }).demoRoom).toBe(false);
    expect(parseConfig({ DEMO_ROOM: 'true' }).demoRoom).toBe(true);
    expect(parseConfig({ DEMO_ROOM: '1' }).demoRoom).toBe(true);
  });
});

describe('a bad value stops the start with a ConfigError naming the variable', () => {
  test('PORT=abc is refused', () => {
    const problems = problemsOf({ PORT: 'abc' });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^PORT: /);
  });

  test('a PORT above 65535 or negative is refused', () => {
    expect(problemsOf({ PORT: '70000' })[0]).toMatch(/^PORT: /);
    expect(problemsOf({ PORT: '-1' })[0]).toMatch(/^PORT: /);
  });

  test('the error message lists every problem, one line per variable', () => {
    let error: unknown;
    try {
      parseConfig({ PORT: 'abc', LOG_LEVEL: 'loud', MEDIA_WORKERS: '0' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const { message, problems } = error as ConfigError;
    expect(problems.map((p) => p.split(':')[0]).sort()).toEqual(['LOG_LEVEL', 'MEDIA_WORKERS', 'PORT']);
    expect(message).toMatch(/^invalid configuration:\n/);
    for (const problem of problems) expect(message).toContain(`  - ${problem}`);
  });

  test('RTC_MIN_PORT above RTC_MAX_PORT is refused', () => {
    const problems = problemsOf({ RTC_MIN_PORT: '45000', RTC_MAX_PORT: '44000' });
    expect(problems).toEqual([expect.stringMatching(/^RTC_MIN_PORT: .*RTC_MAX_PORT/)]);
  });

  test('RTC_MIN_PORT equal to RTC_MAX_PORT is a one-port range and allowed', () => {
    expect(parseConfig({ RTC_MIN_PORT: '44000', RTC_MAX_PORT: '44000' }).rtc.minPort).toBe(44000);
  });

  test('RTC_LISTEN_IP=0.0.0.0 without RTC_ANNOUNCED_IP is refused', () => {
    const problems = problemsOf({ RTC_LISTEN_IP: '0.0.0.0' });
    expect(problems).toEqual([expect.stringMatching(/^RTC_ANNOUNCED_IP: .*0\.0\.0\.0/)]);
  });

  test('an RTC_LISTEN_IP that is not an IP address is refused', () => {
    expect(problemsOf({ RTC_LISTEN_IP: 'localhost' })[0]).toMatch(/^RTC_LISTEN_IP: /);
  });

  test('a PUBLIC_URL that is not http(s) is refused', () => {
    expect(problemsOf({ PUBLIC_URL: 'ftp://example.cn' })[0]).toMatch(/^PUBLIC_URL: /);
    expect(problemsOf({ PUBLIC_URL: 'example.cn' })[0]).toMatch(/^PUBLIC_URL: /);
  });

  test('MEDIA_WORKERS must be a whole number from 1 to 64', () => {
    expect(problemsOf({ MEDIA_WORKERS: '0' })[0]).toMatch(/^MEDIA_WORKERS: /);
    expect(problemsOf({ MEDIA_WORKERS: '65' })[0]).toMatch(/^MEDIA_WORKERS: /);
    expect(problemsOf({ MEDIA_WORKERS: '1.5' })[0]).toMatch(/^MEDIA_WORKERS: /);
  });

  test('an unknown LOG_LEVEL is refused', () => {
    expect(problemsOf({ LOG_LEVEL: 'verbose' })[0]).toMatch(/^LOG_LEVEL: /);
  });

  test('a TOKEN_SECRET or ADMIN_TOKEN under 32 characters is refused without echoing it', () => {
    const short = 'short-secret-31-characters-long';
    expect(short).toHaveLength(31);
    const problems = problemsOf({ TOKEN_SECRET: short, ADMIN_TOKEN: `${short}x`.slice(0, 20) });
    expect(problems.map((p) => p.split(':')[0]).sort()).toEqual(['ADMIN_TOKEN', 'TOKEN_SECRET']);
    for (const problem of problems) {
      expect(problem).toContain('at least 32 characters');
      expect(problem).not.toContain('short-secret');
    }
  });

  test('a secret of exactly 32 characters is accepted', () => {
    const secret = 'x'.repeat(32);
    expect(parseConfig({ TOKEN_SECRET: secret }).tokenSecret).toBe(secret);
  });

  test('LINK_TTL_HOURS must be positive and at most a year', () => {
    expect(problemsOf({ LINK_TTL_HOURS: '0' })[0]).toMatch(/^LINK_TTL_HOURS: /);
    expect(problemsOf({ LINK_TTL_HOURS: '-3' })[0]).toMatch(/^LINK_TTL_HOURS: /);
    expect(problemsOf({ LINK_TTL_HOURS: String(24 * 365 + 1) })[0]).toMatch(/^LINK_TTL_HOURS: /);
    expect(problemsOf({ LINK_TTL_HOURS: 'soon' })[0]).toMatch(/^LINK_TTL_HOURS: /);
  });

  test('a DEMO_ROOM other than true/false/1/0 is refused', () => {
    expect(problemsOf({ DEMO_ROOM: 'yes' })[0]).toMatch(/^DEMO_ROOM: /);
  });
});

describe('the records variables', () => {
  const hexKey = 'ab'.repeat(32);
  const base64Key = Buffer.alloc(32, 7).toString('base64');

  test('DATA_KEY is read as 64 hex digits or as base64 of 32 bytes', () => {
    expect(parseConfig({ DATA_KEY: hexKey }).dataKey).toEqual(Buffer.from(hexKey, 'hex'));
    expect(parseConfig({ DATA_KEY: base64Key }).dataKey).toEqual(Buffer.alloc(32, 7));
    expect(parseConfig({}).dataKey).toBeUndefined();
  });

  test('a DATA_KEY of another length is refused without echoing it', () => {
    const short = Buffer.alloc(16, 9).toString('base64');
    const problems = problemsOf({ DATA_KEY: short });
    expect(problems).toEqual([expect.stringMatching(/^DATA_KEY: .*32 bytes/)]);
    expect(problems[0]).not.toContain(short);
  });

  test('DATABASE_URL must be a postgres URL and needs DATA_KEY', () => {
    expect(problemsOf({ DATABASE_URL: 'mysql://db/gridroom', DATA_KEY: hexKey })[0]).toMatch(/^DATABASE_URL: /);
    expect(problemsOf({ DATABASE_URL: 'postgres://db/gridroom' })).toEqual([expect.stringMatching(/^DATA_KEY: /)]);
    expect(parseConfig({ DATABASE_URL: 'postgresql://db/gridroom', DATA_KEY: hexKey }).database.url).toBe(
      'postgresql://db/gridroom',
    );
  });

  test('DATA_DIR becomes an absolute path, .data by default', () => {
    expect(parseConfig({}).database.dataDir).toBe(path.resolve('.data'));
    expect(parseConfig({ DATA_DIR: '/var/lib/gridroom' }).database.dataDir).toBe('/var/lib/gridroom');
  });

  test('SESSION_TTL_HOURS becomes seconds, 12 hours by default, at most 30 days', () => {
    expect(parseConfig({}).sessionTtlSeconds).toBe(12 * 3600);
    expect(parseConfig({ SESSION_TTL_HOURS: '2' }).sessionTtlSeconds).toBe(7200);
    expect(problemsOf({ SESSION_TTL_HOURS: String(24 * 31) })[0]).toMatch(/^SESSION_TTL_HOURS: /);
  });
});

describe('loggableConfig', () => {
  const config = parseConfig({ TOKEN_SECRET: SECRET_A, ADMIN_TOKEN: SECRET_B, PORT: '4321' });

  test('never contains the token secret or the admin token', () => {
    const line = JSON.stringify(loggableConfig(config));
    expect(line).not.toContain(SECRET_A);
    expect(line).not.toContain(SECRET_B);
    expect(loggableConfig(config)).toMatchObject({ tokenSecret: '***', adminToken: '***' });
  });

  test('never contains generated secrets either', () => {
    const generated = parseConfig({});
    const line = JSON.stringify(loggableConfig(generated));
    expect(line).not.toContain(generated.tokenSecret);
    expect(line).not.toContain(generated.adminToken);
  });

  test('never contains the data key or the database password', () => {
    const key = 'cd'.repeat(32);
    const withDb = parseConfig({
      DATABASE_URL: 'postgres://gridroom:pa55w0rd-x@db.internal:5432/gridroom',
      DATA_KEY: key,
    });
    const logged = loggableConfig(withDb);
    const line = JSON.stringify(logged);
    expect(line).not.toContain('pa55w0rd-x');
    expect(line).not.toContain(key);
    expect(line).not.toContain(Buffer.from(key, 'hex').toString('base64'));
    expect(logged.dataKey).toBe('***');
    expect(logged.database).toMatchObject({ url: expect.stringContaining('db.internal:5432/gridroom') });
  });

  test('keeps everything else an operator needs to see', () => {
    const logged = loggableConfig(config);
    expect(logged).toMatchObject({
      port: 4321,
      host: config.host,
      rtc: config.rtc,
      linkTtlSeconds: config.linkTtlSeconds,
    });
    expect(config.tokenSecret).toBe(SECRET_A); // the config itself is left untouched
  });
});
