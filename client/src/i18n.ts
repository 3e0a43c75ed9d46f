/**
 * Every word the page shows, in Chinese and English. Chinese comes first when
 * the browser asks for it; the person can switch with the toggle at the top.
 * Plain words throughout: many readers are elderly and new to video calls.
 */
import { useSyncExternalStore } from 'react';
import type { ClientErrorCode } from './signaling/errors';
import { attempt } from './attempt';
import { Store } from './store';

export type Lang = 'zh-CN' | 'en';

const zh = {
  title: '视频会议',
  switchLanguage: 'English',
  switchLanguageLabel: 'Switch to English',

  prejoinTitle: '准备加入视频会议',
  prejoinIntro: '请先看看画面和声音是否正常。',
  previewCameraOff: '摄像头已关',
  micLevel: '声音大小',
  speakHint: '说句话试试:绿条在动,说明麦克风正常。',
  chooseDevices: '选择麦克风和摄像头',
  microphone: '麦克风',
  camera: '摄像头',
  defaultDevice: '默认',
  nameLabel: '您的名字',
  nameHint: '会议里的其他人会看到这个名字。',
  namePlaceholder: '例如:张秀英',
  nameMissing: '请先填写您的名字。',
  nameTooLong: '名字太长了,最多 60 个字。',
  nameInvalid: '名字里有不能用的字符。',
  join: '加入会议',
  guest: '访客',
  watchOnly: '您以旁听身份加入:可以看、可以听,不会打开您的摄像头和麦克风。',

  micOn: '麦克风已开',
  micOff: '麦克风已关',
  turnMicOff: '关闭麦克风',
  turnMicOn: '打开麦克风',
  cameraOn: '摄像头已开',
  cameraOff: '摄像头已关',
  turnCameraOff: '关闭摄像头',
  turnCameraOn: '打开摄像头',
  shareScreen: '共享屏幕',
  stopSharing: '停止共享',
  leave: '离开',
  leaveLabel: '离开会议',

  connecting: '正在进入会议…',
  slowNetwork: '网络较慢,正在继续尝试…',
  reconnecting: '网络断开了,正在重新连接… 请不要关闭页面。',
  waiting: '正在等待其他人加入…',
  youSuffix: '(我)',
  you: '我',
  muted: '已静音',
  speaking: '正在说话',
  screenOf: '{name} 的屏幕',
  youAreSharing: '您正在共享屏幕,其他人能看到。',
  soundBlocked: '点这里打开声音',

  leftTitle: '您已离开会议',
  leftBody: '如果是不小心离开的,点下面的按钮可以重新加入。',
  rejoin: '重新加入',
  tryAgain: '再试一次',
  errorCode: '错误代码:{code}',

  device_mic: '麦克风',
  device_camera: '摄像头',
  problem_denied: '没有允许使用{device}。请在浏览器弹出的提示里点“允许”,或在设置里打开权限后刷新页面。不开也可以加入。',
  problem_notFound: '没有找到{device}。不开也可以加入。',
  problem_inUse: '{device}正被别的程序使用。请先关掉其他视频软件(比如微信视频通话),再试一次。',
  problem_unavailable: '这个页面用不了{device}。请用手机自带的浏览器打开链接。',
  problem_other: '{device}打不开。不开也可以加入。',
  lobbyWaited: '已等候 {time}',
  chat: '文字消息',
  chatOpen: '打开文字消息',
  chatClose: '关闭文字消息',
  chatEmpty: '还没有消息。这里的消息只有同一个房间里的人能看到。',
  chatPlaceholder: '输入消息…',
  chatSend: '发送',
  chatFailed: '消息没有发出去,请再试一次。',
  agreement: '调解协议',
  agreementOpen: '打开调解协议',
  agreementClose: '关闭调解协议',
  agreementTitle: '人民调解协议书',
  agreementCaseNo: '编号:',
  agreementEditingNow: '正在看协议的人:',
  agreementYou: '{name}(我)',
  agreementReadsOnly: '只能看',
  agreementReadOnly: '您可以看协议,但不能修改。',
  agreementCommentOnly: '这起纠纷设定为当事人不能直接修改协议。有意见请在下面留言。',
  commentsTitle: '意见和留言',
  commentsNone: '还没有留言。',
  commentsAbout: '关于:',
  commentsPlaceholder: '写下您对协议的意见',
  commentsAdd: '留言',
  commentsResolve: '已处理',
  commentsResolved: '已处理',
  agreementRefused: '协议打不开。请联系调解员。',
  agreementLoading: '正在打开协议…',
  agreementParties: '当事人',
  agreementApplicant: '申请人',
  agreementRespondent: '被申请人',
  agreementSex: '性别',
  agreementAge: '年龄',
  agreementAddress: '住址',
  agreementDeadline: '履行期限',
  agreementDate: '协议日期',
  agreementFacts: '纠纷主要事实',
  agreementDisputes: '争议事项',
  agreementClauses: '经调解,自愿达成如下协议',
  agreementAddClause: '+ 加一条',
  agreementPerformance: '履行方式及期限',
  agreementEditorLabel: '协议内容',
  signLock: '锁定文本,请各方签名',
  signUnlock: '解锁修改(已签名作废)',
  signLocked: '协议文本已锁定,等待签名。任何修改都会使全部签名作废。',
  signSealed: '各方已签名,协议已盖章生效。',
  signHashPending: '您手机上的协议还在更新,请稍候再签名。',
  signRole_applicant: '申请人',
  signRole_respondent: '被申请人',
  signRole_mediator: '调解员',
  signStart: '我要签名',
  signCountersign: '调解员签名',
  signDownload: '下载盖章协议(PDF)',
  signYouSign: '您签署的协议文本 SHA-256:',
  signTypedName: '请输入您的姓名',
  signDraw: '请在下面手写签名',
  signPadLabel: '手写签名区',
  signPadClear: '重写',
  signCancel: '取消',
  signSubmit: '确认签名',
  signVoidedEdited: '协议在锁定后被修改,已有的 {count} 个签名全部作废,需要重新锁定和签名。',
  signVoidedUnlocked: '调解员解锁了协议,已有的 {count} 个签名全部作废。',
  lobbyTitle: '请稍候',
  lobbyBody: '调解员马上会让您进入会议。请不要关闭这个页面。',
  inCaucus: '单独谈话中:只有您和调解员能看到、听到。',
  expertConsentTitle: '专家 {name} 想参加这次调解',
  expertAgreed: '当事人已同意',
  expertPending: '等待当事人同意',
  expertDeclinedShort: '{names} 不同意',
  expertConsentBody:
    '调解员请来专家帮忙。您同意后,专家能看到、听到您,并能阅读调解协议。您不同意,专家就看不到、听不到您。',
  expertConsentAgree: '同意专家参加',
  expertConsentDecline: '不同意',
  expertAwaitingConsent: '正在等当事人同意您参加。同意之前,他们看不到、听不到您,您也不能打开协议。',
  expertDeclinedBy: '{names} 不同意专家参加。请和调解员沟通。',
  consentTitle: '这次会议会录音录像',
  consentBody: '录像会按规定保存,用于证明调解的过程。您同意后,视频和声音才会开始。',
  consentAgree: '同意,继续',
  consentDecline: '不同意,离开',
  removedByMediator: '调解员已请您离开会议',
  removedByMediatorBody: '如有疑问,请联系调解员。您也可以重新进入等候室。',
  openedElsewhere: '会议已在别处打开',
  openedElsewhereBody: '您在另一个窗口或另一台设备上打开了这个会议,所以这里已断开。',
  useHere: '在这里继续',
  linkRevoked: '这个链接已被收回',
  linkRevokedBody: '请联系调解员或工作人员,请他们重新发送一个链接。',
  participants: '参与者',
  waitingCount: '{count} 人在等候室',
  space_lobby: '等候室',
  space_main: '会议室',
  space_caucus: '单独谈话 {n}',
  role_mediator: '调解员',
  role_party: '当事人',
  role_expert: '专家',
  role_observer: '旁听',
  waitingFor: '已等 {minutes} 分钟',
  admit: '让他进入',
  caucus: '单独谈话',
  sendToLobby: '请回等候室',
  remove: '移出',
  removeConfirm: '确定要把 {name} 移出会议吗?',
  toMain: '回会议室',
  joinSpace: '我过去',
  endCaucuses: '结束单独谈话,全部回会议室',
  close: '关闭',
  notConsented: '未同意录像',
};

export type TextKey = keyof typeof zh;

const en: Record<TextKey, string> = {
  title: 'Video meeting',
  switchLanguage: '中文',
  switchLanguageLabel: '切换到中文',

  prejoinTitle: 'Get ready to join',
  prejoinIntro: 'Check that your picture and sound work.',
  previewCameraOff: 'Camera is off',
  micLevel: 'Sound level',
  speakHint: 'Say something: if the green bar moves, your microphone works.',
  chooseDevices: 'Choose microphone and camera',
  microphone: 'Microphone',
  camera: 'Camera',
  defaultDevice: 'Default',
  nameLabel: 'Your name',
  nameHint: 'The others in the meeting will see this name.',
  namePlaceholder: 'For example: Mary Chen',
  nameMissing: 'Please enter your name first.',
  nameTooLong: 'This name is too long: 60 characters at most.',
  nameInvalid: 'This name contains characters that cannot be used.',
  join: 'Join the meeting',
  guest: 'Guest',
  watchOnly: 'You join as an observer: you can watch and listen. Your camera and microphone stay off.',

  micOn: 'Mic is on',
  micOff: 'Mic is off',
  turnMicOff: 'Turn the microphone off',
  turnMicOn: 'Turn the microphone on',
  cameraOn: 'Camera is on',
  cameraOff: 'Camera is off',
  turnCameraOff: 'Turn the camera off',
  turnCameraOn: 'Turn the camera on',
  shareScreen: 'Share screen',
  stopSharing: 'Stop sharing',
  leave: 'Leave',
  leaveLabel: 'Leave the meeting',

  connecting: 'Joining the meeting…',
  slowNetwork: 'The network is slow. Still trying…',
  reconnecting: 'Connection lost. Reconnecting… Please keep this page open.',
  waiting: 'Waiting for the others to join…',
  youSuffix: ' (you)',
  you: 'You',
  muted: 'Muted',
  speaking: 'Speaking',
  screenOf: "{name}'s screen",
  youAreSharing: 'You are sharing your screen. The others can see it.',
  soundBlocked: 'Tap here to turn on the sound',

  leftTitle: 'You have left the meeting',
  leftBody: 'If you left by mistake, tap the button below to join again.',
  rejoin: 'Join again',
  tryAgain: 'Try again',
  errorCode: 'Error code: {code}',

  device_mic: 'microphone',
  device_camera: 'camera',
  problem_denied:
    'The {device} was not allowed. Tap “Allow” when the browser asks, or allow it in the settings and reload the page. You can also join without it.',
  problem_notFound: 'No {device} was found. You can join without it.',
  problem_inUse:
    'The {device} is being used by another app. Close other video apps (such as a WeChat video call) and try again.',
  problem_unavailable: "This page cannot use the {device}. Please open the link in your phone's own browser.",
  problem_other: 'The {device} could not be started. You can join without it.',
  lobbyWaited: 'Waiting for {time}',
  chat: 'Messages',
  chatOpen: 'Open messages',
  chatClose: 'Close messages',
  chatEmpty: 'No messages yet. Only the people in this room see them.',
  chatPlaceholder: 'Type a message…',
  chatSend: 'Send',
  chatFailed: 'The message was not sent. Please try again.',
  agreement: 'Agreement',
  agreementOpen: 'Open the agreement',
  agreementClose: 'Close the agreement',
  agreementTitle: 'Mediation agreement',
  agreementCaseNo: 'Case no.: ',
  agreementEditingNow: 'Reading the agreement now:',
  agreementYou: '{name} (you)',
  agreementReadsOnly: 'reads only',
  agreementReadOnly: 'You can read the agreement but not change it.',
  agreementCommentOnly: 'In this case the parties do not change the text themselves. Leave a comment below.',
  commentsTitle: 'Comments',
  commentsNone: 'No comments yet.',
  commentsAbout: 'About:',
  commentsPlaceholder: 'What do you think of the agreement?',
  commentsAdd: 'Comment',
  commentsResolve: 'Mark resolved',
  commentsResolved: 'resolved',
  agreementRefused: 'The agreement cannot be opened. Please contact the mediator.',
  agreementLoading: 'Opening the agreement…',
  agreementParties: 'Parties',
  agreementApplicant: 'Applicant',
  agreementRespondent: 'Respondent',
  agreementSex: 'Sex',
  agreementAge: 'Age',
  agreementAddress: 'Address',
  agreementDeadline: 'Deadline',
  agreementDate: 'Date of the agreement',
  agreementFacts: 'Main facts of the dispute',
  agreementDisputes: 'Points in dispute',
  agreementClauses: 'Terms agreed through mediation',
  agreementAddClause: '+ Add a term',
  agreementPerformance: 'How and by when they are performed',
  agreementEditorLabel: 'Agreement text',
  signLock: 'Lock the text for signing',
  signUnlock: 'Unlock to edit (voids signatures)',
  signLocked: 'The text is locked for signing. Any change voids every signature.',
  signSealed: 'Everyone has signed; the agreement is sealed.',
  signHashPending: 'Your copy of the agreement is still updating; wait a moment before signing.',
  signRole_applicant: 'Applicant',
  signRole_respondent: 'Respondent',
  signRole_mediator: 'Mediator',
  signStart: 'Sign',
  signCountersign: 'Countersign as mediator',
  signDownload: 'Download the sealed agreement (PDF)',
  signYouSign: 'You sign the text with SHA-256:',
  signTypedName: 'Type your name',
  signDraw: 'Draw your signature below',
  signPadLabel: 'Signature pad',
  signPadClear: 'Clear',
  signCancel: 'Cancel',
  signSubmit: 'Sign now',
  signVoidedEdited: 'The text was changed after it was locked: all {count} signatures are void. Lock and sign again.',
  signVoidedUnlocked: 'The mediator unlocked the text: all {count} signatures are void.',
  lobbyTitle: 'Please wait',
  lobbyBody: 'The mediator will let you in shortly. Please keep this page open.',
  inCaucus: 'Private talk: only you and the mediator can see and hear each other.',
  expertConsentTitle: 'Expert {name} asks to join this mediation',
  expertAgreed: 'the parties agreed',
  expertPending: 'waiting for the parties',
  expertDeclinedShort: 'declined by {names}',
  expertConsentBody:
    'The mediator has asked an expert to help. If you agree, the expert will see and hear you and can read the agreement. If you do not, the expert will neither see nor hear you.',
  expertConsentAgree: 'Let the expert join',
  expertConsentDecline: 'No',
  expertAwaitingConsent:
    'Waiting for the parties to agree to your joining. Until then they neither see nor hear you, and the agreement stays closed.',
  expertDeclinedBy: '{names} did not agree to an expert joining. Talk to the mediator.',
  consentTitle: 'This meeting is recorded',
  consentBody:
    'The recording is kept as the rules require, as a record of the mediation. Video and sound start once you agree.',
  consentAgree: 'I agree, continue',
  consentDecline: 'I do not agree, leave',
  removedByMediator: 'The mediator asked you to leave',
  removedByMediatorBody:
    'If you have questions, please contact the mediator. You can also go back to the waiting room.',
  openedElsewhere: 'The meeting was opened somewhere else',
  openedElsewhereBody: 'You opened this meeting in another window or on another device, so this page was disconnected.',
  useHere: 'Continue here',
  linkRevoked: 'This link was withdrawn',
  linkRevokedBody: 'Please ask your mediator or the office to send you a new link.',
  participants: 'People',
  waitingCount: '{count} waiting',
  space_lobby: 'Waiting room',
  space_main: 'Joint room',
  space_caucus: 'Private talk {n}',
  role_mediator: 'Mediator',
  role_party: 'Party',
  role_expert: 'Expert',
  role_observer: 'Observer',
  waitingFor: 'waiting {minutes} min',
  admit: 'Let in',
  caucus: 'Talk alone',
  sendToLobby: 'To waiting room',
  remove: 'Remove',
  removeConfirm: 'Remove {name} from the meeting?',
  toMain: 'To joint room',
  joinSpace: 'Go there',
  endCaucuses: 'End private talks, everyone back',
  close: 'Close',
  notConsented: 'has not agreed to recording',
};

type ErrorText = { title: string; body: string };

const zhErrors: Record<ClientErrorCode, ErrorText> = {
  INVALID_LINK: { title: '链接无效', body: '这个链接不完整或已被修改。请从短信或微信中重新打开完整的链接。' },
  LINK_EXPIRED: {
    title: '链接已过期',
    body: '这个链接已经过了有效期。请联系调解员或工作人员,请他们重新发送一个链接。',
  },
  NOT_FOUND: { title: '找不到这个会议', body: '这个会议已结束或不存在。请联系调解员或工作人员。' },
  LINK_REVOKED: { title: '链接已停用', body: '调解员已经停用了这个链接。如需参加,请联系调解员重新发送。' },
  LINK_IN_USE: {
    title: '链接已在另一部手机上使用',
    body: '这个链接只能在一部手机上使用。请用第一次打开它的手机,或联系调解员。',
  },
  UNSUPPORTED_PROTOCOL: { title: '页面需要更新', body: '请刷新页面(或关闭后重新打开链接)再试。' },
  UNAUTHENTICATED: { title: '请先登录', body: '您的登录已过期。请重新登录后再试。' },
  FORBIDDEN: { title: '这个链接不能这样用', body: '您的链接没有这项权限。请联系调解员或工作人员。' },
  BAD_REQUEST: { title: '信息有误', body: '请检查您的名字,然后再试一次。' },
  CONFLICT: { title: '出了点问题', body: '请刷新页面再试一次。' },
  NOT_JOINED: { title: '出了点问题', body: '请刷新页面再试一次。' },
  PAYLOAD_TOO_LARGE: { title: '出了点问题', body: '请刷新页面再试一次。' },
  RATE_LIMITED: { title: '操作太快了', body: '请等一会儿再试。' },
  ACT_ILLEGAL_TRANSITION: { title: '这一步现在不能做', body: '公证程序已经变化，请刷新页面查看当前步骤。' },
  ACT_PRECONDITION_FAILED: { title: '还不能进行这一步', body: '请先完成前面的步骤，例如打开摄像头和麦克风。' },
  RETENTION_NOT_EXPIRED: { title: '不能删除', body: '公证登记在保存期限内不能删除。' },
  UNAVAILABLE: { title: '服务暂时不可用', body: '请过一会儿再试。' },
  WRONG_NODE: { title: '正在转到会议所在的服务器', body: '请稍候;如果页面没有自动打开,请重新打开链接。' },
  INTERNAL: { title: '出了点问题', body: '请刷新页面再试一次。如果还是不行,请联系工作人员。' },
  TIMEOUT: { title: '网络太慢', body: '服务器没有及时回应。请检查网络后再试。' },
  DISCONNECTED: { title: '网络已断开', body: '请检查网络后再试。' },
  UNSUPPORTED_BROWSER: {
    title: '这个浏览器不能视频通话',
    body: '请用手机自带的浏览器,或最新版的微信、Chrome、Safari 打开链接。',
  },
};

const enErrors: Record<ClientErrorCode, ErrorText> = {
  INVALID_LINK: {
    title: 'This link is not valid',
    body: 'It may be incomplete or changed. Please open the full link from your message again.',
  },
  LINK_EXPIRED: {
    title: 'This link has expired',
    body: 'Please ask your mediator or the office to send you a new link.',
  },
  NOT_FOUND: {
    title: 'This meeting was not found',
    body: 'It has ended or does not exist. Please contact your mediator or the office.',
  },
  LINK_REVOKED: {
    title: 'This link has been turned off',
    body: 'The mediator has turned this link off. Please ask them for a new one if you need to join.',
  },
  LINK_IN_USE: {
    title: 'This link is in use on another phone',
    body: 'It works on one phone only. Please use the phone that first opened it, or contact the mediator.',
  },
  UNSUPPORTED_PROTOCOL: { title: 'This page needs an update', body: 'Please reload the page, or open the link again.' },
  UNAUTHENTICATED: { title: 'Please sign in', body: 'Your sign-in has expired. Please sign in again and retry.' },
  FORBIDDEN: { title: 'This link cannot do that', body: 'Please contact your mediator or the office.' },
  BAD_REQUEST: { title: 'Something was not right', body: 'Please check your name and try again.' },
  CONFLICT: { title: 'Something went wrong', body: 'Please reload the page and try again.' },
  NOT_JOINED: { title: 'Something went wrong', body: 'Please reload the page and try again.' },
  PAYLOAD_TOO_LARGE: { title: 'Something went wrong', body: 'Please reload the page and try again.' },
  RATE_LIMITED: { title: 'Too fast', body: 'Please wait a moment and try again.' },
  ACT_ILLEGAL_TRANSITION: {
    title: 'This step is not possible now',
    body: 'The notarial act has moved on. Please reload the page to see where it stands.',
  },
  ACT_PRECONDITION_FAILED: {
    title: 'Not yet',
    body: 'Please finish the step before, for example turn on the camera and microphone.',
  },
  RETENTION_NOT_EXPIRED: { title: 'Cannot be deleted', body: 'Journal entries are kept until their retention ends.' },
  UNAVAILABLE: { title: 'Not available right now', body: 'Please try again in a little while.' },
  WRONG_NODE: {
    title: 'Taking you to the meeting’s server',
    body: 'One moment; if nothing happens, open the link again.',
  },
  INTERNAL: {
    title: 'Something went wrong',
    body: 'Please reload the page and try again. If it still does not work, contact the office.',
  },
  TIMEOUT: {
    title: 'The network is too slow',
    body: 'The server did not answer in time. Check your network and try again.',
  },
  DISCONNECTED: { title: 'No connection', body: 'Check your network and try again.' },
  UNSUPPORTED_BROWSER: {
    title: 'This browser cannot make video calls',
    body: "Please open the link in your phone's own browser, or in an up-to-date WeChat, Chrome or Safari.",
  },
};

const STORAGE_KEY = 'gridroom:lang';

function initialLang(): Lang {
  const saved = attempt(() => localStorage.getItem(STORAGE_KEY));
  if (saved === 'zh-CN' || saved === 'en') return saved;
  const asked = navigator.languages?.length ? navigator.languages : [navigator.language];
  return asked[0]?.toLowerCase().startsWith('zh') ? 'zh-CN' : 'en';
}

const langStore = new Store<{ lang: Lang }>({ lang: initialLang() });

function apply(lang: Lang): void {
  document.documentElement.lang = lang;
  document.title = (lang === 'en' ? en : zh).title;
}
apply(langStore.get().lang);

export function currentLang(): Lang {
  return langStore.get().lang;
}

export function setLang(lang: Lang): void {
  attempt(() => localStorage.setItem(STORAGE_KEY, lang));
  apply(lang);
  langStore.set({ lang });
}

export type Translate = (key: TextKey, params?: Record<string, string>) => string;

export function translator(lang: Lang): Translate {
  const dict = lang === 'en' ? en : zh;
  return (key, params) => dict[key].replace(/\{(\w+)\}/g, (whole, name: string) => params?.[name] ?? whole);
}

export function errorText(lang: Lang, code: ClientErrorCode): ErrorText {
  return (lang === 'en' ? enErrors : zhErrors)[code];
}

/** The current language and its translator; re-renders on a switch. */
export function useI18n(): { lang: Lang; t: Translate } {
  const { lang } = useSyncExternalStore(langStore.subscribe, langStore.get);
  return { lang, t: translator(lang) };
}
