/**
 * The mediation agreement as an A4 PDF in the unified format: the canonical
 * text exactly as hashed (wrapped and paginated), the signature record, the
 * SHA-256 of the canonical text and the committee's seal.
 *
 * The font is Droid Sans Fallback (Debian `fonts-droid-fallback`, installed by
 * scripts/setup.sh): a plain TrueType file. The Noto CJK fonts ship only as
 * TrueType collections (.ttc), which pdf-lib + fontkit cannot subset.
 *
 * The CJK font is embedded whole (about 2.8 MB per PDF): pdf-lib's subsetting
 * of Droid Sans Fallback keeps the text extractable but drops the outlines of
 * many characters (协, 编, 东, 李…), which then print as blanks. The Latin font
 * subsets correctly.
 */
import fs from 'node:fs';
import fontkit from '@pdf-lib/fontkit';
import { PDFDocument, type PDFFont, type PDFPage, type RGB, degrees, rgb } from 'pdf-lib';
import { DRAWING_SCALE, type SignatureDrawing } from '../../shared/signing';

export const CJK_FONT_FILE = '/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf';
/** Droid Sans Fallback has no Latin letters or digits; DejaVu Sans (Debian `fonts-dejavu-core`) draws those. */
export const LATIN_FONT_FILE = '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf';

/** Two embedded fonts used as one: each run of text goes to the font that has its glyphs. */
class MixedFont {
  readonly #cjk: PDFFont;
  readonly #latin: PDFFont;
  readonly #cjkChars: Set<number>;

  constructor(cjk: PDFFont, latin: PDFFont) {
    this.#cjk = cjk;
    this.#latin = latin;
    this.#cjkChars = new Set(cjk.getCharacterSet());
  }

  runs(text: string): { text: string; font: PDFFont }[] {
    const runs: { text: string; font: PDFFont }[] = [];
    for (const ch of text) {
      const font = this.#cjkChars.has(ch.codePointAt(0)!) && !/[\x20-\x7e]/.test(ch) ? this.#cjk : this.#latin;
      const last = runs.at(-1);
      if (last?.font === font) last.text += ch;
      else runs.push({ text: ch, font });
    }
    return runs;
  }

  widthOfTextAtSize(text: string, size: number): number {
    return this.runs(text).reduce((sum, run) => sum + run.font.widthOfTextAtSize(run.text, size), 0);
  }

  drawText(page: PDFPage, text: string, options: { x: number; y: number; size: number; color: RGB; opacity?: number }) {
    let x = options.x;
    for (const run of this.runs(text)) {
      page.drawText(run.text, { ...options, x, font: run.font });
      x += run.font.widthOfTextAtSize(run.text, options.size);
    }
  }
}

export interface AgreementSignature {
  name: string;
  /** 'applicant' | 'respondent' | 'mediator', or a label as printed (e.g. 第三人). */
  role: string;
  signedAt: Date;
  /** The signature as drawn on the signer's pad (shared/signing.ts strokes, 0..1000 on both axes). */
  drawing?: SignatureDrawing;
}

export interface AgreementPdfInput {
  caseNo: string;
  committeeName: string;
  /** `canonicalText()` of the agreement, printed line for line. */
  canonicalText: string;
  /** Hex SHA-256 of the UTF-8 bytes of `canonicalText`. */
  hash: string;
  signatures: AgreementSignature[];
  date: Date;
  /** Font file to embed; defaults to CJK_FONT_FILE. */
  fontFile?: string;
}

const A4 = { width: 595.28, height: 841.89 };
const MARGIN = { x: 64, top: 72, bottom: 72 };
const BODY = { size: 12, leading: 20 };
const RED = rgb(0.82, 0.08, 0.1);
const GREY = rgb(0.35, 0.35, 0.35);
const ROLE_LABEL: Record<string, string> = { applicant: '申请人', respondent: '被申请人', mediator: '调解员' };
// Punctuation that must not start a line (禁则): it stays on the line before, a little past the margin.
const NO_LINE_START = new Set('，。、；：？！）》」』”’,.;:?!)%');

/** Lays out a mutable cursor over pages, adding a page when the next line would not fit. */
class Layout {
  readonly #doc: PDFDocument;
  readonly #font: MixedFont;
  page!: PDFPage;
  y = 0;

  constructor(doc: PDFDocument, font: MixedFont) {
    this.#doc = doc;
    this.#font = font;
    this.newPage();
  }

  newPage(): void {
    this.page = this.#doc.addPage([A4.width, A4.height]);
    this.y = A4.height - MARGIN.top;
  }

  /** Makes room for `height` points, on a new page when this one is full. */
  need(height: number): void {
    if (this.y - height < MARGIN.bottom) this.newPage();
  }

  line(text: string, options: { size?: number; x?: number; color?: RGB; center?: boolean } = {}) {
    const size = options.size ?? BODY.size;
    const leading = (size / BODY.size) * BODY.leading;
    this.need(leading);
    this.y -= leading;
    const x = options.center ? (A4.width - this.#font.widthOfTextAtSize(text, size)) / 2 : (options.x ?? MARGIN.x);
    this.#font.drawText(this.page, text, { x, y: this.y, size, color: options.color ?? rgb(0, 0, 0) });
  }

  /** A paragraph wrapped to the text width; an empty one is a blank line. */
  paragraph(text: string, size = BODY.size, indent = 0): void {
    for (const line of wrap(text, this.#font, size, A4.width - 2 * MARGIN.x - indent)) {
      this.line(line, { size, x: MARGIN.x + indent });
    }
  }
}

export async function renderAgreementPdf(input: AgreementPdfInput): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  doc.registerFontkit(fontkit);
  const font = await doc.embedFont(fs.readFileSync(input.fontFile ?? CJK_FONT_FILE), { subset: false });
  const mixed = new MixedFont(font, await doc.embedFont(fs.readFileSync(LATIN_FONT_FILE), { subset: true }));
  doc.setTitle(`人民调解协议书 ${input.caseNo}`);
  doc.setSubject(`SHA-256 ${input.hash}`);
  doc.setCreator('Gridroom');
  doc.setCreationDate(input.date);
  doc.setModificationDate(input.date);

  const layout = new Layout(doc, mixed);
  const lines = input.canonicalText.replace(/\n$/, '').split('\n');
  lines.forEach((text, i) => {
    // The canonical text opens with the document's title; it is printed as one.
    if (i === 0 && text === '人民调解协议书') {
      layout.line(text, { size: 22, center: true });
      layout.y -= 10;
    } else {
      layout.paragraph(text);
    }
  });

  // The closing block (signature record, hash, committee, date, seal) stays on one page, so the
  // seal never lands alone on a page of its own, away from what it seals.
  const closingHeight =
    12 +
    BODY.leading +
    input.signatures.reduce((h, s) => h + signatureHeight(s), 0) +
    8 +
    16 +
    90 +
    8 +
    2 * BODY.leading;
  if (layout.y - closingHeight < MARGIN.bottom) {
    layout.newPage();
    // The usual note on a page that holds only the signatures: nothing of the text was left off.
    layout.line('（此页无正文）', { center: true });
  }
  layout.y -= 12;
  layout.line('签署记录：');
  for (const signature of input.signatures) drawSignature(layout, signature);

  layout.y -= 8;
  layout.paragraph(`协议文本 SHA-256：${input.hash}`, 9);

  // The committee's name and the date, right-aligned; the seal's lower arc crosses the name, as
  // a stamp is put on a signature, and its own lettering and the date stay clear of any text.
  layout.y -= 90;
  const right = A4.width - MARGIN.x;
  layout.line(input.committeeName, { x: right - mixed.widthOfTextAtSize(input.committeeName, BODY.size) });
  const nameBaseline = layout.y;
  const date = formatChineseDate(input.date);
  layout.y -= 8;
  layout.line(date, { x: right - mixed.widthOfTextAtSize(date, BODY.size) });
  drawSeal(layout.page, font, { x: right - 60, y: nameBaseline + 50 }, input.committeeName);

  const pages = doc.getPages();
  pages.forEach((page, i) => {
    const footer = `编号：${input.caseNo}\u3000第 ${i + 1} 页 / 共 ${pages.length} 页`;
    mixed.drawText(page, footer, { x: MARGIN.x, y: MARGIN.bottom / 2, size: 8, color: GREY });
  });
  return doc.save({ useObjectStreams: false });
}

/** The signing pad's shape (SIGNATURE_PAD_ASPECT), printed at this size. */
const DRAWING_BOX = { width: 150, height: 45 };

function signatureHeight(signature: AgreementSignature): number {
  return BODY.leading + (signature.drawing ? DRAWING_BOX.height + 4 : 0);
}

function drawSignature(layout: Layout, signature: AgreementSignature): void {
  const label = ROLE_LABEL[signature.role] ?? signature.role;
  layout.need(signatureHeight(signature));
  layout.line(`${label}：${signature.name}\u3000签署时间：${formatTimestamp(signature.signedAt)}`, {
    x: MARGIN.x + 24,
  });
  if (!signature.drawing) return;
  layout.y -= DRAWING_BOX.height + 4;
  // Strokes are y-down like SVG; drawSvgPath puts the path's origin at (x, y) and flips it.
  const sx = DRAWING_BOX.width / DRAWING_SCALE;
  const sy = DRAWING_BOX.height / DRAWING_SCALE;
  const path = signature.drawing
    .map((stroke) => {
      const points: string[] = [];
      for (let i = 0; i < stroke.length; i += 2)
        points.push(`${(stroke[i]! * sx).toFixed(1)} ${(stroke[i + 1]! * sy).toFixed(1)}`);
      return `M ${points[0]} ${points
        .slice(1)
        .map((p) => `L ${p}`)
        .join(' ')}`;
    })
    .join(' ');
  layout.page.drawSvgPath(path, {
    x: MARGIN.x + 48,
    y: layout.y + DRAWING_BOX.height,
    borderColor: rgb(0.05, 0.1, 0.35),
    borderWidth: 1.4,
  });
}

/** A round red seal: a ring, the committee's name along the upper arc, a five-pointed star in the middle. */
function drawSeal(page: PDFPage, font: PDFFont, center: { x: number; y: number }, name: string): void {
  const radius = 52;
  page.drawCircle({ ...center, size: radius, borderColor: RED, borderWidth: 3, opacity: 0, borderOpacity: 0.9 });

  const star = Array.from({ length: 10 }, (_, i) => {
    const r = i % 2 === 0 ? 16 : 6.5;
    const a = (Math.PI / 5) * i;
    // SVG paths run with y downwards; drawSvgPath flips them at the given origin.
    return `${i === 0 ? 'M' : 'L'} ${(r * Math.sin(a)).toFixed(2)} ${(-r * Math.cos(a)).toFixed(2)}`;
  }).join(' ');
  page.drawSvgPath(`${star} Z`, { x: center.x, y: center.y, color: RED, opacity: 0.9 });

  const chars = [...name];
  const size = Math.min(13, 220 / Math.max(chars.length, 1));
  const span = Math.min(250, chars.length * 22); // degrees of arc the name covers
  const textRadius = radius - 8 - size;
  chars.forEach((ch, i) => {
    const angle = chars.length === 1 ? 0 : -span / 2 + (span * i) / (chars.length - 1);
    const rad = (angle * Math.PI) / 180;
    const w = font.widthOfTextAtSize(ch, size);
    // The glyph's baseline-left corner, shifted back half a glyph along the tangent so it is centred on the arc.
    const x = center.x + textRadius * Math.sin(rad) - (w / 2) * Math.cos(rad);
    const y = center.y + textRadius * Math.cos(rad) + (w / 2) * Math.sin(rad);
    page.drawText(ch, { x, y, size, font, color: RED, opacity: 0.9, rotate: degrees(-angle) });
  });
  const bottom = '调解专用章';
  const bottomSize = 8;
  page.drawText(bottom, {
    x: center.x - font.widthOfTextAtSize(bottom, bottomSize) / 2,
    y: center.y - radius + 14,
    size: bottomSize,
    font,
    color: RED,
    opacity: 0.9,
  });
}

/** Splits a paragraph into lines no wider than `width`; Latin words and digits are not split unless longer than a line. */
export function wrap(text: string, font: Pick<MixedFont, 'widthOfTextAtSize'>, size: number, width: number): string[] {
  if (text === '') return [''];
  const tokens = text.match(/[A-Za-z0-9@._\-/]+|./gsu) ?? [];
  const lines: string[] = [];
  let current = '';
  for (const token of tokens) {
    const candidate = current + token;
    if (current === '' || font.widthOfTextAtSize(candidate, size) <= width || NO_LINE_START.has(token)) {
      current = candidate;
      continue;
    }
    if (font.widthOfTextAtSize(token, size) > width) {
      // A run longer than a line (a hash, a long number): broken by character.
      for (const ch of token) {
        if (font.widthOfTextAtSize(current + ch, size) > width && current !== '') {
          lines.push(current);
          current = '';
        }
        current += ch;
      }
      continue;
    }
    lines.push(current.trimEnd());
    current = token === ' ' ? '' : token;
  }
  lines.push(current.trimEnd());
  return lines;
}

/** 2025年3月1日, in China's time zone (where every committee is). */
function formatChineseDate(date: Date): string {
  const [y, m, d] = chinaParts(date);
  return `${y}年${Number(m)}月${Number(d)}日`;
}

function formatTimestamp(date: Date): string {
  const [y, m, d, h, min, s] = chinaParts(date);
  return `${y}-${m}-${d} ${h}:${min}:${s} (UTC+8)`;
}

function chinaParts(date: Date): string[] {
  const shifted = new Date(date.getTime() + 8 * 3600_000).toISOString();
  return [
    shifted.slice(0, 4),
    shifted.slice(5, 7),
    shifted.slice(8, 10),
    shifted.slice(11, 13),
    shifted.slice(14, 16),
    shifted.slice(17, 19),
  ];
}
