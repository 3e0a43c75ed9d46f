/**
 * What an expert sees while a case rings holds no party's personal data: the
 * summary takes only non-personal fields, and the mediator's note has party
 * names, contacts and ID or phone numbers masked.
 */
import { buildOfferSummary, MAX_NOTE_LENGTH, maskNote } from '../../server/presence/offerSummary';

const parties = [
  { name: '王秀英', contact: '13800138000' },
  { name: '王秀', contact: 'wxy@example.com' },
  { name: '李建国', contact: '北京市东城区和平里1号' },
];

test('party names are masked, the longer name whole even when it contains the shorter', () => {
  expect(maskNote('王秀英与李建国因追尾发生争议，王秀也在场', parties)).toBe(
    '当事人与当事人因追尾发生争议，当事人也在场',
  );
});

test('contacts and long digit runs (ID and phone numbers) are masked; dates and sums are kept', () => {
  expect(maskNote('电话 13800138000，邮箱 wxy@example.com，住 北京市东城区和平里1号', parties)).toBe(
    '电话 ***，邮箱 ***，住 ***',
  );
  expect(maskNote('身份证 11010519491231002X，另一电话 139-1234-5678', [])).toBe('身份证 ********，另一电话 ********');
  expect(maskNote('2026年3月5日发生，索赔 12000 元', [])).toBe('2026年3月5日发生，索赔 12000 元');
});

test('the note is trimmed to its maximum length, counting characters, not bytes', () => {
  expect([...maskNote('责'.repeat(MAX_NOTE_LENGTH + 50), [])]).toHaveLength(MAX_NOTE_LENGTH);
});

test('the summary carries the case’s kind and place but not its own summary text', () => {
  const record = {
    caseNo: 'D01-2026-000042',
    disputeType: 'traffic' as const,
    level: 'district' as const,
    gridName: '和平一网格',
    townshipName: '和平街道',
    districtName: '东城区',
    summary: '王秀英诉李建国',
  };
  const summary = buildOfferSummary({ record, parties, requestedByName: '张调解', note: '李建国不认可责任认定' });
  expect(summary).toEqual({
    caseNo: 'D01-2026-000042',
    disputeType: 'traffic',
    level: 'district',
    gridName: '和平一网格',
    townshipName: '和平街道',
    districtName: '东城区',
    requestedByName: '张调解',
    note: '当事人不认可责任认定',
  });
  expect(JSON.stringify(summary)).not.toMatch(/王秀英|李建国|138/);
});
