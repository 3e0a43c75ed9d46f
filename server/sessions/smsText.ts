/**
 * The short message a mediator pastes into SMS or WeChat for one party: who
 * sends it, when the meeting is (Beijing time, whatever the server's zone),
 * and that a tap on the link is all it takes. Plain words, no jargon.
 */

const BEIJING = new Intl.DateTimeFormat('en-US', {
  timeZone: 'Asia/Shanghai',
  month: 'numeric',
  day: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
});

/** `3月7日 09:30`, in Asia/Shanghai. */
export function beijingTime(at: Date): string {
  const part = (type: Intl.DateTimeFormatPartTypes) => BEIJING.formatToParts(at).find((p) => p.type === type)!.value;
  return `${part('month')}月${part('day')}日 ${part('hour')}:${part('minute')}`;
}

export interface SmsTextInput {
  /** Who the message is from: the committee, or the grid for a grid case. */
  sender: string;
  partyName: string;
  scheduledAt: Date;
  url: string;
}

export function smsText({ sender, partyName, scheduledAt, url }: SmsTextInput): string {
  return (
    `【${sender}】${partyName}您好：您的纠纷调解视频会议定于${beijingTime(scheduledAt)}（北京时间）。` +
    `请在手机上点开下面的链接进入，无需下载或注册：${url}`
  );
}
