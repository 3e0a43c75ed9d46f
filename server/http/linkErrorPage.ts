/**
 * The page a person sees when their link does not work: what happened and what
 * to do, in Chinese and English, never a stack trace.
 */
import type { ErrorCode } from '../../shared/errors';

const texts: Partial<Record<ErrorCode, { zh: [string, string]; en: [string, string] }>> = {
  LINK_EXPIRED: {
    zh: ['链接已过期', '这个链接已经过了有效期。请联系调解员或工作人员,请他们重新发送一个链接。'],
    en: ['This link has expired', 'Please ask your mediator or the office to send you a new link.'],
  },
  LINK_REVOKED: {
    zh: ['链接已停用', '这个链接已被调解员停用。请联系调解员或工作人员,请他们重新发送一个链接。'],
    en: ['This link was withdrawn', 'The mediator has withdrawn it. Please ask them or the office for a new link.'],
  },
  LINK_IN_USE: {
    zh: [
      '链接已在别的手机上使用',
      '这个链接已在另一部手机上使用,只能在第一次打开它的手机上使用。请用那部手机打开,或请调解员重新发送一个链接。',
    ],
    en: [
      'This link is in use on another phone',
      'It works only on the phone that first opened it. Please use that phone, or ask your mediator for a new link.',
    ],
  },
  INVALID_LINK: {
    zh: ['链接无效', '这个链接不完整或已被修改。请从短信或微信中重新打开完整的链接。'],
    en: [
      'This link is not valid',
      'It may be incomplete or changed. Please open the full link from your message again.',
    ],
  },
  NOT_FOUND: {
    zh: ['找不到这个会议', '这个会议已结束或不存在。请联系调解员或工作人员。'],
    en: ['This meeting was not found', 'It has ended or does not exist. Please contact your mediator or the office.'],
  },
};

const escape = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

export function linkErrorPage(code: ErrorCode): string {
  const t = texts[code] ?? texts.INVALID_LINK!;
  return `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escape(t.zh[0])} · ${escape(t.en[0])}</title>
<style>
  body { font-family: system-ui, "Noto Sans CJK SC", sans-serif; margin: 0; background: #f4f6f8; color: #1b2733; }
  main { max-width: 32rem; margin: 12vh auto; padding: 2rem 1.5rem; background: #fff; border-radius: 12px;
         box-shadow: 0 2px 12px rgba(0,0,0,.08); }
  h1 { font-size: 1.5rem; margin: 0 0 .75rem; }
  h2 { font-size: 1.15rem; margin: 2rem 0 .5rem; color: #44525f; }
  p { font-size: 1.1rem; line-height: 1.6; margin: 0; }
  .code { margin-top: 2rem; font-size: .85rem; color: #6b7885; }
</style>
</head>
<body>
<main data-testid="link-error" data-code="${code}">
  <h1>${escape(t.zh[0])}</h1>
  <p>${escape(t.zh[1])}</p>
  <h2 lang="en">${escape(t.en[0])}</h2>
  <p lang="en">${escape(t.en[1])}</p>
  <p class="code">${code}</p>
</main>
</body>
</html>`;
}
