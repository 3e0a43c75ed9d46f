/**
 * Journal retention: 10 years by default, per jurisdiction when configured
 * (a subdivision falls back to its country), and a malformed setting stops
 * the server rather than shortening retention.
 */
import { ConfigError, parseConfig } from '../../server/config';
import { DEFAULT_RETENTION, parseRetention, retainUntil, retentionYears } from '../../server/notary/retention';

test('ten years by default, for every jurisdiction', () => {
  expect(parseConfig({}).notary.retention).toEqual({ defaultYears: 10, byJurisdiction: {} });
  expect(retentionYears('CN-ZJ', DEFAULT_RETENTION)).toBe(10);
  expect(retainUntil(new Date('2026-03-01T08:00:00Z'), 'CN', DEFAULT_RETENTION)).toEqual(
    new Date('2036-03-01T08:00:00Z'),
  );
});

test('a jurisdiction, then its country, then the default', () => {
  const policy = parseConfig({ NOTARY_RETENTION_YEARS: '12', NOTARY_RETENTION: 'US-TX=5, US=7,CN-ZJ=30' }).notary
    .retention;
  expect(retentionYears('US-TX', policy)).toBe(5);
  expect(retentionYears('US-FL', policy)).toBe(7);
  expect(retentionYears('CN-ZJ', policy)).toBe(30);
  expect(retentionYears('CN-BJ', policy)).toBe(12);
});

test('29 February rolls to 1 March in a year that has none', () => {
  expect(retainUntil(new Date('2028-02-29T00:00:00Z'), 'CN', { defaultYears: 1 })).toEqual(
    new Date('2029-03-01T00:00:00Z'),
  );
});

test.each(['US-TX', 'US-TX=five', 'us-tx=5', 'US-TX=500', 'US-TX=5;US-VA=5'])(
  'NOTARY_RETENTION=%s stops the server with a message naming it',
  (spec) => {
    expect(() => parseConfig({ NOTARY_RETENTION: spec })).toThrow(ConfigError);
    expect(() => parseConfig({ NOTARY_RETENTION: spec })).toThrow(/NOTARY_RETENTION/);
  },
);

test('NOTARY_RETENTION_YEARS below one is refused', () => {
  expect(() => parseConfig({ NOTARY_RETENTION_YEARS: '0' })).toThrow(/NOTARY_RETENTION_YEARS/);
  expect(() => parseRetention(10, 'CN=0')).not.toThrow(); // a jurisdiction may say 0: prune at once
});
