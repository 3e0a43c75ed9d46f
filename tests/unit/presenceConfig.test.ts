/**
 * The presence variables of parseConfig(): the embedded default without
 * REDIS_URL, the settings of the dispatcher, and a Redis password that never
 * reaches a log line.
 */
import { ConfigError, loggableConfig, parseConfig } from '../../server/config';

test('without REDIS_URL presence is in-process, with a 15 s heartbeat TTL and 20 s rings, one at a time', () => {
  expect(parseConfig({}).presence).toEqual({
    redisUrl: undefined,
    prefix: 'gridroom:',
    heartbeatTtlMs: 15_000,
    offerTimeoutMs: 20_000,
    ringAtOnce: 1,
  });
});

test('every presence variable is read', () => {
  const config = parseConfig({
    REDIS_URL: 'redis://127.0.0.1:6380/2',
    REDIS_PREFIX: 'city-a:',
    EXPERT_HEARTBEAT_TTL_SECONDS: '9',
    EXPERT_OFFER_TIMEOUT_SECONDS: '30',
    EXPERT_RING_AT_ONCE: '3',
  });
  expect(config.presence).toEqual({
    redisUrl: 'redis://127.0.0.1:6380/2',
    prefix: 'city-a:',
    heartbeatTtlMs: 9000,
    offerTimeoutMs: 30_000,
    ringAtOnce: 3,
  });
});

test('bad presence values stop the start, each named', () => {
  let problems: string[] = [];
  try {
    parseConfig({
      REDIS_URL: 'http://127.0.0.1:6379',
      REDIS_PREFIX: 'has space',
      EXPERT_HEARTBEAT_TTL_SECONDS: '1',
      EXPERT_RING_AT_ONCE: '0',
    });
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    problems = (error as ConfigError).problems;
  }
  expect(problems.map((p) => p.split(':')[0]).sort()).toEqual([
    'EXPERT_HEARTBEAT_TTL_SECONDS',
    'EXPERT_RING_AT_ONCE',
    'REDIS_PREFIX',
    'REDIS_URL',
  ]);
});

test('the Redis password is masked in the loggable configuration', () => {
  const logged = loggableConfig(parseConfig({ REDIS_URL: 'rediss://app:s3cret@redis.internal:6380' }));
  expect(JSON.stringify(logged)).not.toContain('s3cret');
  expect(logged.presence).toMatchObject({ redisUrl: 'rediss://app:***@redis.internal:6380' });
});
