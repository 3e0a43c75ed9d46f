/** The text sent to a party, and a stored link's token, which must come out the same every time. */
import { JoinTokens } from '../../server/links/joinToken';
import { beijingTime, smsText } from '../../server/sessions/smsText';
import type { RoomId } from '../../shared/ids';

describe('beijingTime()', () => {
  test('shows the month, day and 24-hour time in Beijing, whatever the server’s zone', () => {
    expect(beijingTime(new Date('2025-03-07T01:30:00Z'))).toBe('3月7日 09:30');
    expect(beijingTime(new Date('2025-12-31T16:05:00Z'))).toBe('1月1日 00:05');
    expect(beijingTime(new Date('2025-06-01T11:00:00+08:00'))).toBe('6月1日 11:00');
  });
});

describe('smsText()', () => {
  const text = smsText({
    sender: '和平街道人民调解委员会',
    partyName: '王秀英',
    scheduledAt: new Date('2025-03-07T06:00:00Z'),
    url: 'https://gridroom.example.cn/join/abc.def.ghi',
  });

  test('names the sender, greets the party and gives the Beijing time', () => {
    expect(text).toBe(
      '【和平街道人民调解委员会】王秀英您好：您的纠纷调解视频会议定于3月7日 14:00（北京时间）。' +
        '请在手机上点开下面的链接进入，无需下载或注册：https://gridroom.example.cn/join/abc.def.ghi',
    );
  });

  test('ends with the link, so no punctuation sticks to it when a phone makes it clickable', () => {
    expect(text.endsWith('/join/abc.def.ghi')).toBe(true);
  });
});

describe('a stored link', () => {
  const tokens = new JoinTokens('a-test-secret-that-is-long-enough-0123456789');
  const times = {
    linkId: '6c1f7c39-0a4e-4d59-9a8e-1f0c2b9d4e11',
    issuedAt: new Date('2025-03-01T00:00:00Z'),
    expiresAt: new Date('2099-03-04T00:00:00Z'),
  };

  test('signs to the same token every time, carrying its id and expiry', async () => {
    const a = await tokens.sign('RoomRoomRoom1' as RoomId, 'party', times);
    const b = await new JoinTokens('a-test-secret-that-is-long-enough-0123456789').sign(
      'RoomRoomRoom1' as RoomId,
      'party',
      times,
    );
    expect(a.token).toBe(b.token);
    const claims = await tokens.verify(a.token);
    expect(claims).toEqual({
      roomId: 'RoomRoomRoom1',
      role: 'party',
      linkId: times.linkId,
      expiresAt: times.expiresAt,
    });
  });
});
