/**
 * The mediation agreement (人民调解协议书) as a Yjs document, declared once for
 * the browser editor and the server alike, and its canonical text: the one
 * rendering that is hashed (SHA-256 of its UTF-8 bytes) and printed.
 *
 * Unlike the rest of shared/, this file uses yjs at run time: both sides must
 * read and build the same shape, and a type-only description would let them
 * drift.
 *
 * The shape, one root type per section of the unified format:
 *   meta        Y.Map     caseNo, committee, date, deadline (strings)
 *   parties     Y.Array   of Y.Map: role, name, sex, age, idNumber, address (strings)
 *   facts       Y.XmlFragment   纠纷主要事实 (a ProseMirror/Tiptap document: y-prosemirror binds it)
 *   disputes    Y.XmlFragment   争议事项
 *   clauses     Y.Array   of Y.XmlFragment, one editor per agreed term, numbered 一、二、… when rendered
 *   performance Y.XmlFragment   履行方式
 *   signatures  Y.Array   of Y.Map: role ('applicant' | 'respondent' | 'mediator'), name
 *   comments    Y.Array   of Y.Map (see Comment): outside the text, never hashed
 *   signing     Y.Map     the lock and signatures, written by the server only (shared/signing.ts)
 */
import * as Y from 'yjs';
import { z } from 'zod';
import type { PartyRole } from './cases';

/** Every root type of the document and its kind. A root not listed here is refused by the server. */
export const AGREEMENT_ROOTS = {
  meta: 'map',
  parties: 'array',
  facts: 'xml',
  disputes: 'xml',
  clauses: 'array',
  performance: 'xml',
  signatures: 'array',
  comments: 'array',
  signing: 'map',
} as const;
export type AgreementRootName = keyof typeof AGREEMENT_ROOTS;

/** The only root a participant who may comment (but not edit) can change. */
export const COMMENTS_ROOT: AgreementRootName = 'comments';

/** The root only the server writes (the signing state); any client's change to it is refused. */
export const SERVER_ONLY_ROOT: AgreementRootName = 'signing';

/** What a connection may do to the document; decided by the server before the websocket opens. */
export const agreementAccessSchema = z.enum(['edit', 'comment', 'read']);
export type AgreementAccess = z.infer<typeof agreementAccessSchema>;

/** The per-case setting of what parties may do: edit the text, or only comment on it. */
export const partyAgreementAccessSchema = z.enum(['edit', 'comment']);
export type PartyAgreementAccess = z.infer<typeof partyAgreementAccessSchema>;

/** The co-editing endpoint of a case: y-websocket's WebsocketProvider(`${origin}${AGREEMENT_PATH}`, caseId, doc). */
export const AGREEMENT_PATH = '/collab';

export type SignatoryRole = PartyRole | 'mediator';

export interface AgreementRoots {
  meta: Y.Map<unknown>;
  parties: Y.Array<Y.Map<unknown>>;
  facts: Y.XmlFragment;
  disputes: Y.XmlFragment;
  clauses: Y.Array<Y.XmlFragment>;
  performance: Y.XmlFragment;
  signatures: Y.Array<Y.Map<unknown>>;
  comments: Y.Array<Y.Map<unknown>>;
  signing: Y.Map<unknown>;
}

/** The typed root types. Call it before applying remote updates so each root gets its declared kind. */
export function agreementRoots(doc: Y.Doc): AgreementRoots {
  return {
    meta: doc.getMap('meta'),
    parties: doc.getArray('parties'),
    facts: doc.getXmlFragment('facts'),
    disputes: doc.getXmlFragment('disputes'),
    clauses: doc.getArray('clauses'),
    performance: doc.getXmlFragment('performance'),
    signatures: doc.getArray('signatures'),
    comments: doc.getArray('comments'),
    signing: doc.getMap('signing'),
  };
}

/** The fields of a party entry, in the order the agreement prints them. */
export const PARTY_FIELDS = ['role', 'name', 'sex', 'age', 'idNumber', 'address'] as const;
export type PartyField = (typeof PARTY_FIELDS)[number];

/** What the server knows of a case when it creates the agreement's first version. */
export interface AgreementInit {
  caseNo: string;
  /** The mediation committee (调解委员会) whose seal the agreement will carry. */
  committee?: string;
  /**
   * `idNumber` is what the agreement prints: the server passes the masked
   * number (the last four characters only), never the number itself, which
   * the update log would keep in clear.
   */
  parties: { role: PartyRole; name: string; idNumber?: string }[];
  /** The mediator who signs. */
  mediator?: string;
}

/** Fills an empty document with the unified template, in one transaction. */
export function initAgreement(doc: Y.Doc, init: AgreementInit): void {
  const roots = agreementRoots(doc);
  doc.transact(() => {
    roots.meta.set('caseNo', init.caseNo);
    roots.meta.set('committee', init.committee ?? '');
    roots.meta.set('date', '');
    roots.meta.set('deadline', '');
    for (const party of init.parties) {
      const entry = new Y.Map<unknown>();
      for (const field of PARTY_FIELDS) entry.set(field, '');
      entry.set('role', party.role);
      entry.set('name', party.name);
      if (party.idNumber) entry.set('idNumber', party.idNumber);
      roots.parties.push([entry]);
    }
    for (const fragment of [roots.facts, roots.disputes, roots.performance]) fragment.push([paragraph('')]);
    roots.clauses.push([clauseFragment('')]);
    const signatories: { role: SignatoryRole; name: string }[] = [
      ...init.parties.map(({ role, name }) => ({ role, name })),
      { role: 'mediator', name: init.mediator ?? '' },
    ];
    roots.signatures.push(
      signatories.map(
        ({ role, name }) =>
          new Y.Map<unknown>([
            ['role', role],
            ['name', name],
          ]),
      ),
    );
  });
}

/** A paragraph node as Tiptap's and ProseMirror's basic schemas name it. */
export function paragraph(text: string): Y.XmlElement {
  const element = new Y.XmlElement('paragraph');
  element.insert(0, [new Y.XmlText(text)]);
  return element;
}

/** A clause: a fragment holding one paragraph per line of `text`. */
export function clauseFragment(text: string): Y.XmlFragment {
  const fragment = new Y.XmlFragment();
  fragment.insert(
    0,
    text.split('\n').map((line) => paragraph(line)),
  );
  return fragment;
}

/** Appends an agreed term (one paragraph per line). */
export function appendClause(doc: Y.Doc, text: string): void {
  const { clauses } = agreementRoots(doc);
  clauses.push([clauseFragment(text)]);
}

/** A comment on the agreement, kept beside the text (a comment-only participant writes nothing else). */
export const commentSchema = z.object({
  id: z.string().min(1).max(64),
  authorName: z.string().max(100),
  authorRole: z.string().max(32),
  /** ISO 8601. */
  createdAt: z.string().max(40),
  body: z.string().min(1).max(2000),
  /** The section commented on (a root name, or `clauses:<index>`). */
  section: z.string().max(64),
  resolved: z.boolean(),
});
export type Comment = z.infer<typeof commentSchema>;

export function addComment(doc: Y.Doc, comment: Comment): void {
  const { comments } = agreementRoots(doc);
  comments.push([new Y.Map<unknown>(Object.entries(commentSchema.parse(comment)))]);
}

/** The comments that parse; a malformed entry (an old or hostile client) is skipped, not thrown. */
export function readComments(doc: Y.Doc): Comment[] {
  return agreementRoots(doc)
    .comments.toArray()
    .flatMap((entry) => {
      const parsed = entry instanceof Y.Map ? commentSchema.safeParse(entry.toJSON()) : undefined;
      return parsed?.success ? [parsed.data] : [];
    });
}

const ROLE_LABEL: Record<SignatoryRole, string> = {
  applicant: '申请人',
  respondent: '被申请人',
  mediator: '人民调解员',
};

/** The printed label of a role; a role this version does not know prints as written. */
const roleLabel = (role: string): string =>
  Object.hasOwn(ROLE_LABEL, role) ? ROLE_LABEL[role as SignatoryRole] : oneLine(role);

/**
 * The agreement as plain text: deterministic (the same document state gives
 * the same string on every machine, whatever order the edits arrived in),
 * Unicode NFC, `\n` line ends, no trailing spaces, single blank lines between
 * sections, one final newline. Formatting marks, embeds and comments are left
 * out: what is hashed is the wording the parties agree to. Signatures print
 * the signatories' names only, so signing never changes the text being signed.
 */
export function canonicalText(doc: Y.Doc): string {
  const roots = agreementRoots(doc);
  const meta = (key: string) => oneLine(stringOf(roots.meta.get(key)));
  const sections: string[][] = [];

  sections.push([
    '人民调解协议书',
    `编号：${meta('caseNo')}`,
    ...(meta('committee') ? [`调解组织：${meta('committee')}`] : []),
  ]);
  sections.push(['当事人：', ...roots.parties.toArray().map(partyLine)]);
  sections.push(['纠纷主要事实：', ...fragmentLines(roots.facts)]);
  sections.push(['争议事项：', ...fragmentLines(roots.disputes)]);
  const clauses = roots.clauses
    .toArray()
    .map((clause) => (clause instanceof Y.XmlFragment ? fragmentLines(clause) : []))
    .filter((lines) => lines.length > 0);
  sections.push([
    '经调解，自愿达成如下协议：',
    ...clauses.flatMap((lines, i) => [`${chineseNumeral(i + 1)}、${lines[0]}`, ...lines.slice(1)]),
  ]);
  sections.push([
    '履行方式及期限：',
    ...fragmentLines(roots.performance),
    ...(meta('deadline') ? [`履行期限：${formatDate(meta('deadline'))}`] : []),
  ]);
  sections.push([
    '签名：',
    ...roots.signatures.toArray().map((entry) => {
      return `${roleLabel(mapString(entry, 'role'))}：${oneLine(mapString(entry, 'name'))}`;
    }),
  ]);
  sections.push([`日期：${formatDate(meta('date'))}`]);

  return `${sections.map((lines) => lines.map((line) => line.trimEnd()).join('\n')).join('\n\n')}\n`;
}

function partyLine(entry: Y.Map<unknown>): string {
  const field = (name: PartyField) => oneLine(mapString(entry, name));
  const age = field('age');
  const details = [
    field('sex'),
    age && (/^\d+$/.test(age) ? `${age}岁` : age),
    field('idNumber') && `身份证号码：${field('idNumber')}`,
    field('address') && `住址：${field('address')}`,
  ].filter(Boolean);
  return [`${roleLabel(field('role'))}：${field('name')}`, ...details].join('，');
}

/** The lines of a rich-text fragment: one per block, list items numbered, blank edges dropped. */
export function fragmentLines(fragment: Y.XmlFragment | Y.XmlElement): string[] {
  const text = blockText(fragment).replace(/\n{3,}/g, '\n\n');
  const lines = text.split('\n').map((line) => line.trimEnd());
  while (lines.length > 0 && lines[0] === '') lines.shift();
  while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return lines;
}

const LINE_BREAKS = new Set(['hardBreak', 'hard_break', 'br']);

function blockText(node: Y.XmlFragment | Y.XmlElement): string {
  const children = node.toArray();
  const ordered = node instanceof Y.XmlElement && /^ordered_?list$/i.test(node.nodeName);
  const bullets = node instanceof Y.XmlElement && /^bullet_?list$/i.test(node.nodeName);
  let out = '';
  let inline = '';
  let item = 0;
  const endLine = () => {
    out += `${clean(inline)}\n`;
    inline = '';
  };
  for (const child of children) {
    if (child instanceof Y.XmlText) {
      inline += inlineText(child);
    } else if (child instanceof Y.XmlElement && LINE_BREAKS.has(child.nodeName)) {
      inline += '\n';
    } else if (child instanceof Y.XmlElement) {
      if (inline) endLine();
      const inner = blockText(child);
      const prefix = ordered ? `${++item}. ` : bullets ? '- ' : '';
      out += prefix + inner;
    }
  }
  if (inline || (node instanceof Y.XmlElement && out === '')) endLine();
  return out;
}

function inlineText(text: Y.XmlText): string {
  return (text.toDelta() as { insert: unknown }[])
    .map((op) => (typeof op.insert === 'string' ? op.insert : ''))
    .join('');
}

/** NFC, `\n` line ends, tabs and odd spaces as plain spaces. */
function clean(text: string): string {
  return text
    .normalize('NFC')
    .replace(/\r\n?/g, '\n')
    .replace(/[\t\u00a0\u2028\u2029]/g, (c) => (c === '\u2028' || c === '\u2029' ? '\n' : ' '));
}

/** A form field (name, address, case number) on one line. */
function oneLine(text: string): string {
  return clean(text)
    .replace(/\s*\n\s*/g, ' ')
    .trim();
}

function stringOf(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

function mapString(entry: unknown, key: string): string {
  return entry instanceof Y.Map ? stringOf(entry.get(key)) : '';
}

/** `2025-03-01` as 2025年3月1日; anything else as written. */
function formatDate(value: string): string {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  return match ? `${match[1]}年${Number(match[2])}月${Number(match[3])}日` : value;
}

const DIGITS = '〇一二三四五六七八九';

/** 1 → 一, 10 → 十, 11 → 十一, 20 → 二十, 105 → 一百零五 (1 to 9999), as clause numbers are written. */
export function chineseNumeral(n: number): string {
  if (!Number.isInteger(n) || n < 1 || n > 9999) return String(n);
  const units = ['', '十', '百', '千'];
  const digits = String(n).split('').map(Number);
  let out = '';
  let zero = false;
  digits.forEach((d, i) => {
    const unit = units[digits.length - 1 - i]!;
    if (d === 0) {
      zero = out !== '';
      return;
    }
    if (zero) out += '零';
    zero = false;
    out += DIGITS[d] + unit;
  });
  // 十一 rather than 一十一 when the number starts in the tens.
  return n >= 10 && n < 20 ? out.slice(1) : out;
}
