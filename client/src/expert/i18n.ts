/**
 * The expert page's words in Chinese and English, in the staff console's
 * style: the language is the room client's one choice per browser, the
 * dictionary is this page's own, and domain labels (dispute types, presence
 * states, levels) come from shared/.
 */
import { DISPUTE_TYPES, LEVELS, type Label } from '../../../shared/cases';
import { EXPERT_STATES } from '../../../shared/experts';
import { useI18n, type Lang } from '../i18n';

const zh = {
  appTitle: '专家值班',
  notExpert: '这个页面是给专家用的。您登录的是“{role}”账号。',
  toConsole: '去调解工作台',
  notInPool: '您的账号还没有加入专家库,请联系区调处中心。',
  logout: '退出登录',
  loading: '正在加载…',
  retry: '重试',

  specialties: '专业',
  languages: '语言',
  offDuty: '您现在没有值班,不会接到来电。',
  goOnCall: '开始值班',
  goOnCallHint: '开始后,来电会响铃并显示在这里。请保持这个页面打开,声音打开。',
  endDuty: '结束值班',
  connecting: '正在连接…',
  reconnecting: '网络断开了,正在重新连接… 重新连上之前不会接到来电。',
  refused: '服务器拒绝了连接:{message}',
  yourState: '现在的状态',
  setAvailable: '空闲,可以接来电',
  setAway: '暂离,先不要来电',
  availabilityBusy: '来电中或调解中不能改状态。',

  incoming: '来电:请求专家协助',
  caseNo: '案号',
  disputeType: '纠纷类型',
  where: '地点',
  level: '层级',
  requestedBy: '发起人',
  note: '调解员的问题',
  noNote: '(没有留言)',
  secondsLeft: '还剩 {n} 秒',
  accept: '接听',
  decline: '拒绝',
  answering: '正在处理…',
  soundBlocked: '听不到铃声?点这里打开声音',
  noParties: '当事人的姓名和电话在您接听、双方同意后才会显示。',

  ended_timed_out: '来电已超时,已转给其他专家。',
  ended_withdrawn: '来电已撤回(已有其他专家接听,或调解员取消了请求)。',
  ended_declined: '您已拒绝这次来电。',
  ended_released: '调解员已让您离开案件,您现在是空闲状态。',
  ended_left: '您已离开案件,现在是空闲状态。',
  dismiss: '知道了',

  inCaseTitle: '您正在协助调解',
  inCaseUnknown: '您正在协助一个案件(页面刷新后无法显示案件信息)。',
  inCaseHint: '调解员会把会议链接发给您。结束后请点“离开案件”,以便接听下一次来电。',
  joinSession: '进入调解会议',
  leaveCase: '离开案件',
  confirmLeave: '确定离开这个案件吗?',

  historyTitle: '来电记录',
  noHistory: '还没有来电记录。',
  answer_accepted: '已接听',
  answer_declined: '已拒绝',
  answer_timed_out: '未接(超时)',
  answer_withdrawn: '已撤回',
  answer_open: '来电中',

  error_CONFLICT: '现在不能这样做:{message}',
  error_FORBIDDEN: '您没有这项权限:{message}',
  error_RATE_LIMITED: '操作太快了,请稍后再试。',
  error_DISCONNECTED: '网络断开了,请稍后再试。',
  error_TIMEOUT: '服务器没有回应,请再试一次。',
  error_other: '出了点问题,请再试一次。({message})',
};

export type ExpertTextKey = keyof typeof zh;

const en: Record<ExpertTextKey, string> = {
  appTitle: 'Expert on call',
  notExpert: 'This page is for experts. You are signed in with a “{role}” account.',
  toConsole: 'Go to the mediation console',
  notInPool: 'Your account is not in an expert pool yet. Please contact the district centre.',
  logout: 'Sign out',
  loading: 'Loading…',
  retry: 'Try again',

  specialties: 'Specialties',
  languages: 'Languages',
  offDuty: 'You are off duty: no calls will reach you.',
  goOnCall: 'Go on call',
  goOnCallHint: 'Calls will then ring and show here. Keep this page open with the sound on.',
  endDuty: 'End duty',
  connecting: 'Connecting…',
  reconnecting: 'The connection dropped; reconnecting… No calls reach you until it is back.',
  refused: 'The server refused the connection: {message}',
  yourState: 'Your state',
  setAvailable: 'Available for calls',
  setAway: 'Away, no calls for now',
  availabilityBusy: 'You cannot change this while a call rings or you are in a case.',

  incoming: 'Incoming call: a mediator asks for an expert',
  caseNo: 'Case no.',
  disputeType: 'Dispute type',
  where: 'Where',
  level: 'Level',
  requestedBy: 'Asked by',
  note: 'The mediator’s question',
  noNote: '(no note)',
  secondsLeft: '{n} s left',
  accept: 'Accept',
  decline: 'Decline',
  answering: 'Working…',
  soundBlocked: 'No ring tone? Tap here to turn the sound on',
  noParties: 'The parties’ names and numbers are shown only after you accept and they consent.',

  ended_timed_out: 'The call timed out and went to another expert.',
  ended_withdrawn: 'The call was withdrawn (another expert took it, or the mediator cancelled).',
  ended_declined: 'You declined the call.',
  ended_released: 'The mediator released you from the case. You are available again.',
  ended_left: 'You left the case. You are available again.',
  dismiss: 'OK',

  inCaseTitle: 'You are helping with a case',
  inCaseUnknown: 'You are helping with a case (its details are not shown after a reload).',
  inCaseHint:
    'The mediator will send you the session link. When you are done, tap “Leave the case” to take the next call.',
  joinSession: 'Join the mediation session',
  leaveCase: 'Leave the case',
  confirmLeave: 'Leave this case?',

  historyTitle: 'Call history',
  noHistory: 'No calls yet.',
  answer_accepted: 'Accepted',
  answer_declined: 'Declined',
  answer_timed_out: 'Missed (timed out)',
  answer_withdrawn: 'Withdrawn',
  answer_open: 'Ringing',

  error_CONFLICT: 'This cannot be done now: {message}',
  error_FORBIDDEN: 'You may not do this: {message}',
  error_RATE_LIMITED: 'Too fast. Please wait a moment.',
  error_DISCONNECTED: 'The connection dropped. Please try again shortly.',
  error_TIMEOUT: 'The server did not answer. Please try again.',
  error_other: 'Something went wrong. Please try again. ({message})',
};

export type ExpertTranslate = (key: ExpertTextKey, params?: Record<string, string | number>) => string;

export interface ExpertI18n {
  lang: Lang;
  t: ExpertTranslate;
  label: (label: Label) => string;
  dateTime: (iso: string) => string;
}

export function useExpertI18n(): ExpertI18n {
  const { lang } = useI18n();
  const dict = lang === 'en' ? en : zh;
  const format = new Intl.DateTimeFormat(lang, { dateStyle: 'medium', timeStyle: 'short' });
  return {
    lang,
    t: (key, params) => dict[key].replace(/\{(\w+)\}/g, (whole, name: string) => String(params?.[name] ?? whole)),
    label: (label) => label[lang === 'en' ? 'en' : 'zh'],
    dateTime: (iso) => {
      const date = new Date(iso);
      return Number.isNaN(date.getTime()) ? iso : format.format(date);
    },
  };
}

/** The sentence for a failed presence request or HTTP call, by its code. */
export function errorText(t: ExpertTranslate, error: { code: string; message: string }): string {
  const known: Partial<Record<string, ExpertTextKey>> = {
    CONFLICT: 'error_CONFLICT',
    FORBIDDEN: 'error_FORBIDDEN',
    RATE_LIMITED: 'error_RATE_LIMITED',
    DISCONNECTED: 'error_DISCONNECTED',
    TIMEOUT: 'error_TIMEOUT',
  };
  return t(known[error.code] ?? 'error_other', { message: error.message });
}

export { DISPUTE_TYPES, EXPERT_STATES, LEVELS };
