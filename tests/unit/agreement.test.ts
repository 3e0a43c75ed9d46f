/**
 * The agreement's shape and its canonical text: the string that is hashed and
 * printed must be the same for the same document whatever order edits arrived
 * in, and must not depend on invisible differences (Unicode forms, line ends,
 * formatting, comments).
 */
import * as Y from 'yjs';
import {
  addComment,
  agreementRoots,
  appendClause,
  canonicalText,
  chineseNumeral,
  initAgreement,
  paragraph,
  readComments,
  type AgreementInit,
} from '../../shared/agreement';

const INIT: AgreementInit = {
  caseNo: 'D01-2025-000042',
  committee: '和平街道人民调解委员会',
  parties: [
    { role: 'applicant', name: '王秀英' },
    { role: 'respondent', name: '李建国' },
  ],
  mediator: '张调解',
};

function agreement(init: AgreementInit = INIT): Y.Doc {
  const doc = new Y.Doc();
  initAgreement(doc, init);
  return doc;
}

/** Two replicas of one document, kept apart until `sync`. */
function replicas(): { a: Y.Doc; b: Y.Doc; sync(order: 'ab' | 'ba'): void } {
  const origin = agreement();
  const a = new Y.Doc();
  const b = new Y.Doc();
  Y.applyUpdate(a, Y.encodeStateAsUpdate(origin));
  Y.applyUpdate(b, Y.encodeStateAsUpdate(origin));
  return {
    a,
    b,
    sync(order) {
      const [first, second] = order === 'ab' ? [a, b] : [b, a];
      Y.applyUpdate(second, Y.encodeStateAsUpdate(first));
      Y.applyUpdate(first, Y.encodeStateAsUpdate(second));
    },
  };
}

test('the template renders the unified format, section by section', () => {
  const doc = agreement();
  const roots = agreementRoots(doc);
  roots.meta.set('date', '2025-01-02');
  roots.meta.set('deadline', '2025-03-01');
  const applicant = roots.parties.get(0);
  applicant.set('sex', '女');
  applicant.set('age', '75');
  applicant.set('address', '北京市东城区和平里一号');
  roots.facts.delete(0, 1);
  roots.facts.insert(0, [paragraph('2024年12月，被申请人家卫生间漏水，致申请人家天花板受损。')]);
  roots.clauses.get(0).insert(0, [paragraph('被申请人赔偿申请人维修费人民币3000元。')]);
  appendClause(doc, '申请人放弃其他请求。');
  roots.performance.insert(1, [paragraph('银行转账。')]);

  expect(canonicalText(doc)).toBe(
    [
      '人民调解协议书',
      '编号：D01-2025-000042',
      '调解组织：和平街道人民调解委员会',
      '',
      '当事人：',
      '申请人：王秀英，女，75岁，住址：北京市东城区和平里一号',
      '被申请人：李建国',
      '',
      '纠纷主要事实：',
      '2024年12月，被申请人家卫生间漏水，致申请人家天花板受损。',
      '',
      '争议事项：',
      '',
      '经调解，自愿达成如下协议：',
      '一、被申请人赔偿申请人维修费人民币3000元。',
      '二、申请人放弃其他请求。',
      '',
      '履行方式及期限：',
      '银行转账。',
      '履行期限：2025年3月1日',
      '',
      '签名：',
      '申请人：王秀英',
      '被申请人：李建国',
      '人民调解员：张调解',
      '',
      '日期：2025年1月2日',
      '',
    ].join('\n'),
  );
});

test('concurrent edits give the same text whichever replica hears of the other first', () => {
  for (const order of ['ab', 'ba'] as const) {
    const { a, b, sync } = replicas();
    appendClause(a, '甲方道歉。');
    appendClause(b, '乙方接受道歉。');
    agreementRoots(a).disputes.insert(0, [paragraph('赔偿金额。')]);
    agreementRoots(b).disputes.insert(0, [paragraph('维修期限。')]);
    agreementRoots(a).meta.set('date', '2025-01-02');
    sync(order);
    expect(canonicalText(a)).toBe(canonicalText(b));
    expect(canonicalText(a)).toMatch(/一、.*道歉。\n二、.*道歉。/); // the template's empty clause takes no number
  }
});

test('the text is NFC with \\n line ends and no trailing spaces, whatever was typed', () => {
  const doc = agreement({ ...INIT, parties: [{ role: 'applicant', name: 'Rene\u0301e' }] });
  const roots = agreementRoots(doc);
  roots.facts.delete(0, 1);
  roots.facts.insert(0, [paragraph('第一行  \r\n第二行\t结束\u00a0')]);
  const text = canonicalText(doc);
  expect(text).toContain('申请人：Ren\u00e9e');
  expect(text).toContain('纠纷主要事实：\n第一行\n第二行 结束\n');
  expect(text).toBe(text.normalize('NFC'));
  expect(text).not.toMatch(/\r| \n/);
  expect(text.endsWith('\n') && !text.endsWith('\n\n')).toBe(true);
});

test('a form field typed over several lines stays on one line', () => {
  const doc = agreement();
  agreementRoots(doc).parties.get(1).set('address', '北京市\n东城区 \r\n 安定门');
  expect(canonicalText(doc)).toContain('被申请人：李建国，住址：北京市 东城区 安定门\n');
});

test('clauses are numbered 一、二、… past ten, and an empty clause takes no number', () => {
  const doc = agreement();
  for (let i = 1; i <= 12; i++) appendClause(doc, `第${i}条约定。`);
  const lines = canonicalText(doc).split('\n');
  // The template's first clause is empty: numbering starts with the first written one.
  expect(lines.filter((l) => /^[一二三四五六七八九十]+、/.test(l)).map((l) => l.split('、')[0])).toEqual([
    '一',
    '二',
    '三',
    '四',
    '五',
    '六',
    '七',
    '八',
    '九',
    '十',
    '十一',
    '十二',
  ]);
  expect(lines).toContain('十二、第12条约定。');
});

test('a clause over several paragraphs prints its number once', () => {
  const doc = agreement();
  appendClause(doc, '被申请人分两期付款：\n第一期1500元；\n第二期1500元。');
  expect(canonicalText(doc)).toContain('一、被申请人分两期付款：\n第一期1500元；\n第二期1500元。\n');
});

test('formatting, line breaks and lists render as plain lines', () => {
  const doc = agreement();
  const { facts } = agreementRoots(doc);
  facts.delete(0, 1);
  const p = new Y.XmlElement('paragraph');
  const bold = new Y.XmlText();
  p.insert(0, [bold, new Y.XmlElement('hardBreak'), new Y.XmlText('下一行')]);
  bold.insert(0, '加粗的文字', { bold: true });
  const list = new Y.XmlElement('orderedList');
  const item = (text: string) => {
    const li = new Y.XmlElement('listItem');
    li.insert(0, [paragraph(text)]);
    return li;
  };
  list.insert(0, [item('甲'), item('乙')]);
  facts.insert(0, [p, list]);
  expect(canonicalText(doc)).toContain('纠纷主要事实：\n加粗的文字\n下一行\n1. 甲\n2. 乙\n');
});

test('comments are kept beside the text and never change it', () => {
  const doc = agreement();
  const before = canonicalText(doc);
  addComment(doc, {
    id: 'c1',
    authorName: '王秀英',
    authorRole: 'party',
    createdAt: '2025-01-02T10:00:00.000Z',
    body: '请写明付款账户。',
    section: 'performance',
    resolved: false,
  });
  expect(canonicalText(doc)).toBe(before);
  expect(readComments(doc)).toEqual([expect.objectContaining({ id: 'c1', body: '请写明付款账户。' })]);
});

test('order matters: the parties print in the order of the array', () => {
  const swapped = agreement({ ...INIT, parties: [...INIT.parties].reverse() });
  expect(canonicalText(agreement())).not.toBe(canonicalText(swapped));
  const text = canonicalText(swapped);
  expect(text.indexOf('\n被申请人：李建国')).toBeLessThan(text.indexOf('\n申请人：王秀英'));
});

test('the same template built twice by the same client id is the same document', () => {
  const build = () => {
    const doc = new Y.Doc();
    doc.clientID = 1;
    initAgreement(doc, INIT);
    return doc;
  };
  const merged = build();
  Y.applyUpdate(merged, Y.encodeStateAsUpdate(build()));
  expect(canonicalText(merged)).toBe(canonicalText(build()));
});

test.each([
  [1, '一'],
  [9, '九'],
  [10, '十'],
  [11, '十一'],
  [20, '二十'],
  [21, '二十一'],
  [100, '一百'],
  [105, '一百零五'],
  [110, '一百一十'],
  [1001, '一千零一'],
])('chineseNumeral(%i) is %s', (n, expected) => {
  expect(chineseNumeral(n)).toBe(expected);
});
