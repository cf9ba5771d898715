// Stored text (server/plain-text.ts) and the schemas that apply it: the report (every channel),
// the hotline call, staff actions and exposure notices.
import { describe, expect, it } from 'vitest';
import { callInputSchema } from '../../server/hotline/call-schema.ts';
import { fieldErrors } from '../../server/field-errors.ts';
import { DESCRIPTION_WITHOUT_WORDS, reportInputSchema } from '../../server/intake/report-schema.ts';
import { hasLetterOrDigit, plainText } from '../../server/plain-text.ts';
import { noticeDraftSchema, noticeWithdrawSchema, responseDraftSchema } from '../../server/publish/notice-schema.ts';
import { ticketActionSchema } from '../../server/staff/action-schema.ts';

const C0 = Array.from({ length: 0x20 }, (_, i) => String.fromCharCode(i)).filter((c) => c !== '\t' && c !== '\n' && c !== '\r');
const C1 = Array.from({ length: 0x20 }, (_, i) => String.fromCharCode(0x80 + i));
const BIDI = ['\u202a', '\u202b', '\u202c', '\u202d', '\u202e', '\u2066', '\u2067', '\u2068', '\u2069', '\u200e', '\u200f', '\u061c'];

describe('plainText', () => {
  it('removes C0 controls but tab and line feed, DEL, C1 controls and direction characters', () => {
    for (const c of [...C0, '\u007f', ...C1, ...BIDI]) {
      expect(plainText(`人民路${c}路口`), `U+${c.charCodeAt(0).toString(16)}`).toBe('人民路路口');
    }
    expect(plainText('第一行\t缩进\n第二行')).toBe('第一行\t缩进\n第二行');
  });

  it('turns every line break into \\n', () => {
    expect(plainText('一\r\n二\r三\n四\u2028五\u2029六')).toBe('一\n二\n三\n四\n五\n六');
    expect(plainText('\r\n\r\n')).toBe('\n\n');
  });

  it('keeps what is visible, zero-width joiners of emoji included', () => {
    const text = '西关市场 ABC-123，“垃圾”堆积！👨‍👩‍👧 café ١٢٣ Ελλάδα';
    expect(plainText(text)).toBe(text);
    // A right-to-left override no longer turns "ABC-DEF" into what looks like another code.
    expect(plainText('查询码 \u202eFED-CBA\u202c')).toBe('查询码 FED-CBA');
  });
});

describe('hasLetterOrDigit', () => {
  it('is true for words or numbers of any script', () => {
    for (const text of ['垃圾', 'abc', '123', '١٢٣', 'Ελλάδα', '。。。好', '😀 1']) expect(hasLetterOrDigit(text), text).toBe(true);
  });

  it('is false for only spaces, zero-width characters, punctuation, symbols or emoji', () => {
    for (const text of [
      '',
      '     ',
      '\u200b\u200c\u200d\u2060\ufeff',
      '。。。。。',
      '!!!!!!',
      '！！！！！',
      '……',
      '……。。',
      '😀😀😀',
      '？？？？？',
      '+-*/=',
      '¥¥¥¥¥',
      '★☆★☆★',
      '\u3000\u3000',
    ]) {
      expect(hasLetterOrDigit(text), JSON.stringify(text)).toBe(false);
    }
  });
});

describe('the report schema (web, mail, hotline alike)', () => {
  const parse = (raw: Record<string, unknown>) => reportInputSchema.safeParse(raw);

  it('stores description, address and name without invisible characters', () => {
    const parsed = parse({
      description: '\u202e西关集贸市场\u0000垃圾堆积\r\n好几天没人清理\u0007 ',
      location: { address: '人民路\u200f 12号\u001b[31m' },
      reporter: { name: '\u2066王秀兰\u2069' },
    });
    expect(parsed.success).toBe(true);
    expect(parsed.data).toMatchObject({
      description: '西关集贸市场垃圾堆积\n好几天没人清理',
      location: { address: '人民路 12号[31m' },
      reporter: { name: '王秀兰' },
    });
  });

  it('treats a field of only control characters as not given', () => {
    const parsed = parse({ description: '西关集贸市场垃圾堆积', reporter: { name: '\u0000\u202e' }, location: { address: '\u0007 ' } });
    expect(parsed.success).toBe(true);
    expect(parsed.data?.reporter?.name).toBeUndefined();
    expect(parsed.data?.location?.address).toBeUndefined();
  });

  it('refuses a description without a letter or digit, saying what to write', () => {
    for (const description of ['。。。。。', '!!!!!!', '………………', '😀😀😀😀😀', '\u200b\u200b\u200b\u200b\u200b\u200b', '？！。，、；']) {
      const parsed = parse({ description });
      expect(parsed.success, description).toBe(false);
      expect(fieldErrors(parsed.error!)['description']).toBe(DESCRIPTION_WITHOUT_WORDS);
    }
    expect(DESCRIPTION_WITHOUT_WORDS).toMatch(/在哪里、是什么问题/);
    // Too short stays "too short", whatever it is made of.
    expect(fieldErrors(parse({ description: '。。' }).error!)['description']).toMatch(/至少5个字/);
    // Counted after cleaning: five controls are no description.
    expect(fieldErrors(parse({ description: '\u0000\u0001\u0002\u0003\u0004\u0005' }).error!)['description']).toMatch(/至少5个字/);
    expect(parse({ description: '路灯不亮。。。。' }).success).toBe(true);
  });
});

describe('the other stored texts', () => {
  it('hotline call: description, names and answers without invisible characters; a ticket needs words', () => {
    const parsed = callInputSchema.parse({
      caller: { name: '\u202e张先生', phone: '13812345678' },
      outcome: 'answer',
      description: '咨询\u0000垃圾清运\r\n时间',
      answer: '每天\u200f早上六点',
    });
    expect(parsed).toMatchObject({ caller: { name: '张先生' }, description: '咨询垃圾清运\n时间', answer: '每天早上六点' });
    const empty = callInputSchema.safeParse({ caller: {}, outcome: 'ticket', description: '。。。。。。' });
    expect(empty.success).toBe(false);
    expect(empty.error?.issues.map((i) => [i.path.join('.'), i.message])).toEqual([['description', expect.stringMatching(/请用文字/)]]);
  });

  it('staff actions: reasons, rectification text and notes', () => {
    expect(ticketActionSchema.parse({ action: 'reject', reason: '\u202e重复\u0000反映' })).toMatchObject({ reason: '重复反映' });
    expect(ticketActionSchema.parse({ action: 'reportRectification', text: '已清理\r\n完毕\u0085并拍照', photoIds: ['p1'] })).toMatchObject(
      {
        text: '已清理\n完毕并拍照',
      },
    );
    expect(ticketActionSchema.parse({ action: 'verify', note: '现场\u2067核实\u2069' })).toMatchObject({ note: '现场核实' });
    expect(
      ticketActionSchema.parse({ action: 'reportRectification', text: '已清理完毕', noPhotoReason: '夜间\u202e才有\u0000' }),
    ).toMatchObject({
      noPhotoReason: '夜间才有',
    });
  });

  it('exposure notices and responses', () => {
    const draft = noticeDraftSchema.parse({
      trackingCodes: ['ABC-DEF-GHJ'],
      title: '\u202e关于西关市场的曝光',
      body: '市场垃圾\u0000长期堆积\r\n未整改到位。',
      responseDueAt: '2026-12-10T00:00:00.000Z',
      photos: [{ id: 'a'.repeat(32), kind: 'before', alt: '垃圾\u200e堆积' }],
    });
    expect(draft).toMatchObject({ title: '关于西关市场的曝光', body: '市场垃圾长期堆积\n未整改到位。', photos: [{ alt: '垃圾堆积' }] });
    expect(noticeWithdrawSchema.parse({ id: 1, reason: '核实\u0000有误' }).reason).toBe('核实有误');
    expect(responseDraftSchema.parse({ noticeId: 1, body: '已组织\u202d人员清理完毕。' }).body).toBe('已组织人员清理完毕。');
  });
});
