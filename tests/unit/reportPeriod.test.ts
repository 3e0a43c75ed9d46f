/** Reporting months are months in Beijing, not in UTC. */
import { currentMonth, monthPeriod, monthSchema, yearInChina } from '../../server/reports/period';

test('a month runs from 00:00 on the 1st to 00:00 on the 1st of the next, China Standard Time', () => {
  expect(monthPeriod('2025-03')).toEqual({
    month: '2025-03',
    from: new Date('2025-03-01T00:00:00+08:00'),
    to: new Date('2025-04-01T00:00:00+08:00'),
  });
  expect(monthPeriod('2024-12').to).toEqual(new Date('2025-01-01T00:00:00+08:00'));
});

test('23:30 UTC on 31 March is already April in Beijing', () => {
  expect(currentMonth(new Date('2025-03-31T23:30:00Z'))).toBe('2025-04');
  expect(yearInChina(new Date('2024-12-31T16:00:00Z'))).toBe(2025);
});

test('only YYYY-MM months are accepted', () => {
  expect(monthSchema.safeParse('2025-03').success).toBe(true);
  for (const bad of ['2025-3', '2025-13', '2025-00', '25-03', '2025-03-01', '1999-12'])
    expect(monthSchema.safeParse(bad).success).toBe(false);
});
