// Mail parsing (issue 4 item 2) and classification (item 3): Chinese mail as QQ Mail, 163 and
// Foxmail send it, the two charset traps of TOOLCHAIN.md, quoted-history stripping per client
// style, and what counts as an auto-reply, a bounce, a list or our own mail.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { MailParseError, MailTooLargeError, extractMessageIds, parseMail } from '../../server/intake/mail/parse-mail.ts';
import { stripQuotedText } from '../../server/intake/mail/quoted-text.ts';
import { htmlToText } from '../../server/intake/mail/html-text.ts';
import { CRLF, JPEG, b64Lines, enc, mail, qp, qqMail, wordB, wordQ } from '../fixtures/mail/make-mails.ts';

const SUBJECT = '关于人民路路灯损坏的举报';
const BODY = '你好：\n人民路与解放街交叉口的路灯已经坏了一个星期，晚上很黑，请尽快维修。\n谢谢！';

describe('fixtures are the bytes the clients send', () => {
  it('GBK encodes 中文 as D6D0 CEC4', () => {
    expect(enc('中文', 'gbk').toString('hex')).toBe('d6d0cec4');
    expect(enc('中文', 'gb18030').toString('hex')).toBe('d6d0cec4');
  });
});

describe('QQ Mail', () => {
  it('decodes the GB18030 subject, sender name, body and the photo attachment', async () => {
    const raw = qqMail({ subject: SUBJECT, text: BODY });
    const m = await parseMail(raw);
    expect(m.subject).toBe(SUBJECT);
    expect(m.from).toEqual({ address: '12345678@qq.com', name: '张三' });
    expect(m.to).toEqual(['jubao@chuangcheng.example.cn']);
    expect(m.text).toBe(BODY);
    expect(m.messageId).toBe('<tencent_0A1B2C3D4E5F@qq.com>');
    expect(m.date).toBe('2026-11-30T02:15:00.000Z');
    expect(m.kind).toBe('normal');
    expect(m.kindReason).toBeNull();
    expect(m.attachments).toHaveLength(1);
    const [photo] = m.attachments;
    expect(photo?.filename).toBe('现场照片.jpg');
    expect(photo?.content.equals(JPEG)).toBe(true);
    expect(photo?.size).toBe(JPEG.length);
    expect(photo?.inline).toBe(false);
    expect(m.contentHash).toBe(createHash('sha256').update(raw).digest('hex'));
  });

  it('strips the "原始邮件" history of a QQ reply', async () => {
    const text = [
      '已经修好了，谢谢你们！',
      '',
      '',
      '------------------ 原始邮件 ------------------',
      '发件人: "创城办" <jubao@chuangcheng.example.cn>;',
      '发送时间: 2026年11月30日(星期一) 上午10:20',
      '收件人: "张三"<12345678@qq.com>;',
      '主题: [CC-2026-000123] 您的举报已受理',
      '',
      '您的举报已受理。',
    ].join('\n');
    const m = await parseMail(qqMail({ subject: 'Re: [CC-2026-000123] 您的举报已受理', text }));
    expect(m.text).toBe('已经修好了，谢谢你们！');
    expect(m.fullText).toContain('您的举报已受理。');
  });
});

describe('163 / 126 (网易)', () => {
  it('decodes a GBK quoted-printable body, a Q-encoded subject and strips "在 … 写道："', async () => {
    const body = [
      '小区门口的垃圾还没有清理。',
      '',
      '发自网易邮箱大师',
      '',
      '在 2026-11-30 10:20:00，"创城办" <jubao@chuangcheng.example.cn> 写道：',
      '> 您的举报已受理，跟踪码 CC-2026-000123。',
      '>',
    ].join('\r\n');
    const raw = mail(
      [
        `From: "${wordQ('李四', 'GBK')}" <lisi@163.com>`,
        'To: jubao@chuangcheng.example.cn',
        `Subject: ${wordQ('回复：[CC-2026-000123] 您的举报已受理', 'GBK')}`,
        'Date: Mon, 30 Nov 2026 11:00:00 +0800 (CST)',
        'Message-ID: <6b1c2d3e.1a2b.18c0d0e0f01.Coremail.lisi@163.com>',
        'In-Reply-To: <ack-123@chuangcheng.example.cn>',
        'References: <report-1@qq.com>\r\n <ack-123@chuangcheng.example.cn>',
        'X-Mailer: Coremail Webmail Server Version XT5.0.14',
        'MIME-Version: 1.0',
        'Content-Type: text/plain; charset=GBK',
        'Content-Transfer-Encoding: quoted-printable',
      ],
      qp(enc(body, 'gbk')),
    );
    const m = await parseMail(raw);
    expect(m.subject).toBe('回复：[CC-2026-000123] 您的举报已受理');
    expect(m.from.name).toBe('李四');
    expect(m.text).toBe('小区门口的垃圾还没有清理。');
    expect(m.inReplyTo).toEqual(['<ack-123@chuangcheng.example.cn>']);
    expect(m.references).toEqual(['<report-1@qq.com>', '<ack-123@chuangcheng.example.cn>']);
    expect(m.kind).toBe('normal');
  });

  it('handles an Apple-style wrapped attribution ("2026年11月30日 … 写道：" on two lines)', () => {
    const text = '好的\n\n2026年11月30日 10:20，创城办\n<jubao@chuangcheng.example.cn> 写道：\n\n您的举报已受理';
    expect(stripQuotedText(text)).toBe('好的');
  });
});

describe('Foxmail and the raw 8-bit GBK subject trap', () => {
  it('re-reads raw GBK header bytes (Subject, From name) as GB18030 instead of mojibake', async () => {
    const body = [
      '路边摊占道经营，影响通行。',
      '',
      'wangwu@foxmail.com',
      '',
      '发件人： 创城办',
      '发送时间： 2026-11-30 10:20',
      '收件人： wangwu@foxmail.com',
      '主题： 您的举报已受理',
      '',
      '您的举报已受理。',
    ].join('\r\n');
    const raw = mail(
      [
        Buffer.concat([Buffer.from('From: "'), enc('王五', 'gbk'), Buffer.from('" <wangwu@foxmail.com>')]),
        'To: "jubao" <jubao@chuangcheng.example.cn>',
        Buffer.concat([Buffer.from('Subject: '), enc('占道经营投诉', 'gbk')]),
        'Date: Mon, 30 Nov 2026 12:00:00 +0800',
        'X-Mailer: Foxmail 7.2.25.228[cn]',
        'Mime-Version: 1.0',
        'Message-ID: <202611301200001234567@foxmail.com>',
        'Content-Type: text/plain; charset="GB2312"',
        'Content-Transfer-Encoding: base64',
      ],
      b64Lines(enc(body, 'gbk')) + CRLF,
    );
    const m = await parseMail(raw);
    expect(m.subject).toBe('占道经营投诉');
    expect(m.from).toEqual({ address: 'wangwu@foxmail.com', name: '王五' });
    expect(m.text).toBe('路边摊占道经营，影响通行。\n\nwangwu@foxmail.com');
    expect(m.defects.join(' ')).toMatch(/raw 8-bit header .*GB18030/);
  });

  it('reads raw 8-bit Latin-1 headers (isolated high bytes, no declared charset) as windows-1252', async () => {
    const raw = mail([Buffer.from('Subject: Die Hasen und die Fr\xf6sche', 'latin1'), 'From: a@example.de'], 'x');
    const m = await parseMail(raw);
    expect(m.subject).toBe('Die Hasen und die Frösche');
  });

  it('reads raw 8-bit Big5 headers as Big5 when the message declares Big5', async () => {
    const raw = mail(
      [Buffer.concat([Buffer.from('Subject: '), enc('路燈損壞', 'big5')]), 'Content-Type: text/plain; charset=big5'],
      enc('路燈', 'big5'),
    );
    const m = await parseMail(raw);
    expect(m.subject).toBe('路燈損壞');
    expect(m.text).toBe('路燈');
  });

  it('leaves valid raw UTF-8 headers alone', async () => {
    const raw = mail(
      [Buffer.from('Subject: 井盖丢失', 'utf8'), 'From: a@example.cn', 'Content-Type: text/plain; charset=utf-8'],
      Buffer.from('东街井盖丢失。', 'utf8'),
    );
    const m = await parseMail(raw);
    expect(m.subject).toBe('井盖丢失');
    expect(m.text).toBe('东街井盖丢失。');
    expect(m.defects.join(' ')).not.toMatch(/raw 8-bit/);
  });

  // mailparser trims a header as a binary string: a last UTF-8 byte A0 (映 = E6 98 A0, one CJK
  // character in 64) would be taken for a no-break space and the character lost.
  it('keeps a subject’s last character whose UTF-8 ends in byte A0, raw UTF-8 or transcoded from GBK', async () => {
    const utf8 = mail(
      [Buffer.from('Subject: 关于垃圾堆放的反映', 'utf8'), 'From: a@example.cn', 'Content-Type: text/plain; charset=utf-8'],
      'x',
    );
    expect((await parseMail(utf8)).subject).toBe('关于垃圾堆放的反映');
    const gbk = mail(
      [
        Buffer.concat([Buffer.from('Subject: '), enc('占道经营问题反映', 'gbk')]),
        'From: b@foxmail.com',
        'Content-Type: text/plain; charset="GB2312"',
      ],
      enc('路边摊占道。', 'gbk'),
    );
    const m = await parseMail(gbk);
    expect(m.subject).toBe('占道经营问题反映');
    expect(m.text).toBe('路边摊占道。');
    // Every CJK character of the common block comes through as the last one of a subject.
    const all = Array.from({ length: 0x9fa5 - 0x4e00 + 1 }, (_, i) => String.fromCodePoint(0x4e00 + i)).filter(
      (c) => Buffer.from(c).at(-1) === 0xa0,
    );
    for (const c of all.slice(0, 40)) {
      expect((await parseMail(mail([Buffer.from(`Subject: 问题${c}`, 'utf8'), 'From: a@example.cn'], 'x'))).subject).toBe(`问题${c}`);
    }
  });
});

describe('MIME parts with raw or missing charsets', () => {
  function multipart(parts: Buffer[]): Buffer {
    const body: Buffer[] = [];
    for (const part of parts) body.push(Buffer.from('--b\r\n'), part, Buffer.from('\r\n'));
    body.push(Buffer.from('--b--\r\n'));
    return mail(['From: a@qq.com', 'Subject: x', 'Content-Type: multipart/mixed; boundary="b"'], Buffer.concat(body));
  }

  it('decodes a raw GBK attachment filename and an unlabelled 8-bit GBK text part', async () => {
    const raw = multipart([
      Buffer.concat([Buffer.from('Content-Type: text/plain\r\nContent-Transfer-Encoding: 8bit\r\n\r\n'), enc('井盖丢了', 'gbk')]),
      Buffer.concat([
        Buffer.from('Content-Type: image/jpeg; name="'),
        enc('照片.jpg', 'gbk'),
        Buffer.from('"\r\nContent-Disposition: attachment; filename="'),
        enc('照片.jpg', 'gbk'),
        Buffer.from(`"\r\nContent-Transfer-Encoding: base64\r\n\r\n${b64Lines(JPEG)}`),
      ]),
    ]);
    const m = await parseMail(raw);
    expect(m.text).toBe('井盖丢了');
    expect(m.attachments.map((a) => a.filename)).toEqual(['照片.jpg']);
    expect(m.attachments[0]?.content.equals(JPEG)).toBe(true);
  });

  it('reads a GB-labelled part whose bytes are UTF-8 as UTF-8', async () => {
    const raw = multipart([
      Buffer.from(
        `Content-Type: text/plain; charset=gb2312\r\nContent-Transfer-Encoding: base64\r\n\r\n${b64Lines(Buffer.from('路灯不亮', 'utf8'))}`,
      ),
    ]);
    const m = await parseMail(raw);
    expect(m.text).toBe('路灯不亮');
  });

  it('reads an unlabelled single-part GBK body (base64) as GB18030', async () => {
    const raw = mail(['From: a@qq.com', 'Subject: x', 'Content-Transfer-Encoding: base64'], b64Lines(enc('垃圾桶满了', 'gbk')));
    const m = await parseMail(raw);
    expect(m.text).toBe('垃圾桶满了');
  });
});

describe('the eucgb2312_cn trap and other GB aliases', () => {
  for (const label of ['eucgb2312_cn', 'x-gbk', 'gb_2312-80', 'cp936', 'euc-cn', 'GB2312', 'GBK', 'GB18030']) {
    it(`decodes charset ${label} in subject and body (base64 and QP)`, async () => {
      for (const cte of ['base64', 'quoted-printable']) {
        const bytes = enc('噪音扰民，凌晨还在施工。', 'gb18030');
        const raw = mail(
          [
            `From: ${wordB('赵六', 'gb18030', label)} <zl@126.com>`,
            `Subject: ${wordB('夜间施工噪音', 'gb18030', label)}`,
            `Content-Type: text/plain; charset="${label}"`,
            `Content-Transfer-Encoding: ${cte}`,
          ],
          cte === 'base64' ? b64Lines(bytes) : qp(bytes),
        );
        const m = await parseMail(raw);
        expect(m.subject).toBe('夜间施工噪音');
        expect(m.from.name).toBe('赵六');
        expect(m.text).toBe('噪音扰民，凌晨还在施工。');
      }
    });
  }

  it('joins a GBK character split across two encoded words (long QQ subjects)', async () => {
    const bytes = enc(SUBJECT, 'gbk');
    const [w1, w2] = [bytes.subarray(0, 5).toString('base64'), bytes.subarray(5).toString('base64')];
    const m = await parseMail(mail([`Subject: =?eucgb2312_cn?B?${w1}?=`, ` =?gbk?B?${w2}?=`], 'x'));
    expect(m.subject).toBe(SUBJECT);
  });

  it('decodes GB18030 four-byte characters (𠮷, €) that GB2312 lacks', async () => {
    const raw = mail(
      [`Subject: ${wordB('𠮷野家€', 'gb18030')}`, 'Content-Type: text/plain; charset=gb2312', 'Content-Transfer-Encoding: base64'],
      b64Lines(enc('𠮷野家门口€', 'gb18030')),
    );
    const m = await parseMail(raw);
    expect(m.subject).toBe('𠮷野家€');
    expect(m.text).toBe('𠮷野家门口€');
  });

  it('decodes Big5 (traditional characters) in subject and body', async () => {
    const raw = mail(
      [`Subject: ${wordQ('路燈損壞', 'big5')}`, 'Content-Type: text/plain; charset=big5', 'Content-Transfer-Encoding: base64'],
      b64Lines(enc('請儘快維修路燈。', 'big5')),
    );
    const m = await parseMail(raw);
    expect(m.subject).toBe('路燈損壞');
    expect(m.text).toBe('請儘快維修路燈。');
  });
});

describe('HTML-only mail', () => {
  it('converts sanitised HTML to text and drops the blockquoted history from the new text', async () => {
    const html =
      '<html><head><style>p{color:red}</style><script>alert(1)</script></head><body>' +
      '<div>公园厕所&nbsp;很脏&amp;没人打扫。</div><div><br></div>' +
      '<div>------------------&nbsp;原始邮件&nbsp;------------------</div>' +
      '<blockquote><div>您的举报已受理。</div></blockquote></body></html>';
    const raw = mail(
      ['From: x@qq.com', 'Subject: test', 'Content-Type: text/html; charset=gb18030', 'Content-Transfer-Encoding: base64'],
      b64Lines(enc(html, 'gb18030')),
    );
    const m = await parseMail(raw);
    expect(m.text).toBe('公园厕所 很脏&没人打扫。');
    expect(m.fullText).toContain('您的举报已受理。');
    expect(m.fullText).not.toContain('alert');
    expect(m.fullText).not.toContain('color');
  });

  it('QQ Mail HTML reply: the 原始邮件 block after the new text is dropped', () => {
    const html =
      '<div>已经处理好了</div><div><br></div><div><br></div>' +
      '<div style="font-size: 12px;font-family: Arial Narrow;padding:2px 0 2px 0;">------------------&nbsp;原始邮件&nbsp;------------------</div>' +
      '<div style="font-size: 12px;background:#efefef;padding:8px;"><div><b>发件人:</b>&nbsp;"创城办"&lt;jubao@x.cn&gt;;</div>' +
      '<div><b>发送时间:</b>&nbsp;2026年11月30日(星期一) 上午10:20</div><div><b>收件人:</b>&nbsp;"张三"&lt;1@qq.com&gt;;</div></div>' +
      '<div><br></div>您的举报已受理';
    expect(stripQuotedText(htmlToText(html, { dropQuotes: true }))).toBe('已经处理好了');
  });

  it('163 HTML reply: the attribution and blockquote are dropped', () => {
    const html =
      '<div style="line-height:1.7;"><div>谢谢，已看到。</div><br><br>' +
      '<div style="position:relative;zoom:1"></div><div id="divNeteaseMailCard"></div><br>' +
      '<pre><br>在 2026-11-30 10:20:00，"创城办" &lt;jubao@x.cn&gt; 写道：<br></pre>' +
      '<blockquote id="isReplyContent" style="PADDING-LEFT: 1ex; MARGIN: 0px 0px 0px 0.8ex; BORDER-LEFT: #ccc 1px solid">您的举报已受理</blockquote></div>';
    expect(stripQuotedText(htmlToText(html, { dropQuotes: true }))).toBe('谢谢，已看到。');
  });

  it('Outlook HTML reply: divRplyFwdMsg and what follows are dropped', () => {
    const html =
      '<div>收到</div><hr style="display:inline-block;width:98%" tabindex="-1"><div id="divRplyFwdMsg" dir="ltr"><b>From:</b> 创城办<br><b>Sent:</b> Monday</div><div>old</div>';
    expect(stripQuotedText(htmlToText(html, { dropQuotes: true }))).toBe('收到');
  });

  it('htmlToText decodes entities and keeps line structure', () => {
    expect(htmlToText('a<br>b<p>c</p>&#20013;&#x6587;&lt;&gt;')).toBe('a\nb\nc\n中文<>');
  });
});

describe('quoted history and signatures, per client style', () => {
  const cases: Array<[string, string]> = [
    ['Outlook -----Original Message-----', '收到\n\n-----Original Message-----\nFrom: a\nSent: b\n\nold'],
    ['Outlook underscores + From:', '收到\n\n________________________________\nFrom: 创城办 <j@x.cn>\nSent: Monday\nTo: me\n\nold'],
    ['Outlook Chinese header block', '收到\n\n发件人: 创城办 <j@x.cn>\n发送时间: 2026年11月30日 10:20\n收件人: me\n主题: 受理\n\nold'],
    ['Gmail On … wrote: (wrapped)', '收到\n\nOn Mon, Nov 30, 2026 at 10:20 AM 创城办 <j@x.cn>\nwrote:\n\n> old\n> older'],
    ['Gmail On … wrote: (one line)', '收到\n\nOn Mon, 30 Nov 2026 10:20, X <j@x.cn> wrote:\n> old'],
    ['plain > quoting', '收到\n> old\n> older'],
    ['QQ English UI', '收到\n\n------------------ Original ------------------\nFrom: x\nDate: y\n\nold'],
    ['signature -- ', '收到\n-- \n张三\n138 0000 0000'],
    ['发自我的iPhone', '收到\n\n发自我的iPhone\n\n------------------ 原始邮件 ------------------\nold'],
    ['Sent from my iPhone', '收到\n\nSent from my iPhone\n\n> On 30 Nov 2026, at 10:20, X wrote:\n> old'],
    ['发自我的华为手机', '收到\n\n发自我的华为手机'],
    ['Outlook Chinese -----原始邮件-----', '收到\n\n-----原始邮件-----\n发件人: a\n发送时间: b\nold'],
    ['Outlook Chinese -----邮件原件-----', '收到\n-----邮件原件-----\nold'],
    ['发自我的 iPhone (with a space)', '收到\n\n发自我的 iPhone'],
    ['从我的iPhone发送', '收到\n从我的iPhone发送'],
  ];
  for (const [name, text] of cases) {
    it(name, () => {
      expect(stripQuotedText(text)).toBe('收到');
    });
  }

  it('keeps a resident text that merely mentions "在" and "发件人"', () => {
    const text = '在人民路上有积水。\n发件人说明：我是附近居民。';
    expect(stripQuotedText(text)).toBe(text);
  });

  it('keeps the resident lines of an interleaved reply', () => {
    expect(stripQuotedText('> 请问具体位置？\n人民路 12 号门口\n> 何时发现？\n今天早上')).toBe('人民路 12 号门口\n今天早上');
  });
});

function simple(headers: string[], body = 'hello'): Buffer {
  return mail([...headers, 'Content-Type: text/plain; charset=utf-8'], Buffer.from(body, 'utf8'));
}

describe('classification', () => {
  const autoCases: Array<[string, string[], RegExp]> = [
    [
      'Auto-Submitted: auto-replied',
      ['From: a@qq.com', 'Subject: Re: 举报', 'Auto-Submitted: auto-replied'],
      /^Auto-Submitted: auto-replied$/,
    ],
    ['Auto-Submitted: auto-generated', ['From: a@qq.com', 'Subject: x', 'Auto-Submitted: auto-generated'], /Auto-Submitted/],
    ['Precedence: bulk', ['From: a@qq.com', 'Subject: x', 'Precedence: bulk'], /Precedence: bulk/],
    ['Precedence: auto_reply', ['From: a@qq.com', 'Subject: x', 'Precedence: auto_reply'], /Precedence/],
    ['X-Autoreply', ['From: a@qq.com', 'Subject: x', 'X-Autoreply: yes'], /X-Autoreply/],
    ['X-Autorespond', ['From: a@qq.com', 'Subject: x', 'X-Autorespond: x'], /X-Autorespond/],
    ['X-Auto-Response-Suppress', ['From: a@qq.com', 'Subject: x', 'X-Auto-Response-Suppress: All'], /X-Auto-Response-Suppress/],
    ['subject 自动回复 (GBK RFC 2047)', ['From: a@qq.com', `Subject: ${wordB('自动回复: 关于举报', 'gbk')}`], /subject 自动回复/],
    ['subject 自动答复', ['From: a@163.com', `Subject: ${wordB('自动答复：您的邮件', 'gb18030')}`], /自动答复/],
    ['subject Automatic reply', ['From: a@x.com', 'Subject: Automatic reply: report'], /Automatic reply/i],
    ['subject Auto Reply', ['From: a@x.com', 'Subject: Auto Reply'], /Auto Reply/i],
    ['subject Out of Office', ['From: a@x.com', 'Subject: Out of Office: back Monday'], /Out of Office/i],
    ['subject 休假', ['From: a@x.com', `Subject: ${wordB('休假通知', 'gbk')}`], /休假/],
    ['subject 不在办公室', ['From: a@x.com', `Subject: ${wordB('我不在办公室', 'gbk')}`], /不在办公室/],
  ];
  for (const [name, headers, reason] of autoCases) {
    it(`auto-reply: ${name}`, async () => {
      const m = await parseMail(simple(headers));
      expect(m.kind).toBe('auto-reply');
      expect(m.kindReason).toMatch(reason);
    });
  }

  it('Auto-Submitted: no is a normal mail', async () => {
    const m = await parseMail(simple(['From: a@qq.com', 'Subject: 举报', 'Auto-Submitted: no']));
    expect(m.kind).toBe('normal');
  });

  it('mail from ourselves', async () => {
    const m = await parseMail(simple(['From: 创城办 <JuBao@chuangcheng.example.cn>', 'Subject: 受理']), {
      ourAddresses: ['jubao@chuangcheng.example.cn'],
    });
    expect(m.kind).toBe('auto-reply');
    expect(m.kindReason).toBe('from ourselves');
  });

  it('bounce: multipart/report delivery-status with the original message', async () => {
    const raw = mail(
      [
        'From: MAILER-DAEMON@mx.qq.com (Mail Delivery System)',
        'To: jubao@chuangcheng.example.cn',
        'Subject: Undelivered Mail Returned to Sender',
        'Message-ID: <bounce-1@mx.qq.com>',
        'Content-Type: multipart/report; report-type=delivery-status; boundary="b1"',
      ],
      [
        '--b1',
        'Content-Type: text/plain',
        '',
        'The mail system could not deliver your message.',
        '--b1',
        'Content-Type: message/delivery-status',
        '',
        'Reporting-MTA: dns; mx.qq.com',
        '',
        'Final-Recipient: rfc822; nobody@qq.com',
        'Action: failed',
        'Status: 5.1.1',
        '--b1',
        'Content-Type: message/rfc822',
        '',
        'From: jubao@chuangcheng.example.cn',
        'To: nobody@qq.com',
        'Subject: [CC-2026-000123] ack',
        'Message-ID: <ack-123@chuangcheng.example.cn>',
        '',
        'body',
        '--b1--',
        '',
      ].join(CRLF),
    );
    const m = await parseMail(raw);
    expect(m.kind).toBe('bounce');
    expect(m.kindReason).toBe('multipart/report delivery-status');
    expect(m.bouncedMessageId).toBe('<ack-123@chuangcheng.example.cn>');
  });

  it('bounce: 163 退信 from postmaster, original Message-ID quoted in the body', async () => {
    const body = '很抱歉您发送的邮件被退回。\n\n----- 原邮件 -----\nMessage-ID: <ack-77@chuangcheng.example.cn>\nSubject: ack\n';
    const raw = mail(
      [
        'From: Postmaster@163.com',
        `Subject: ${wordB('系统退信', 'gbk')}`,
        'Content-Type: text/plain; charset=gbk',
        'Content-Transfer-Encoding: base64',
      ],
      b64Lines(enc(body, 'gbk')),
    );
    const m = await parseMail(raw);
    expect(m.kind).toBe('bounce');
    expect(m.bouncedMessageId).toBe('<ack-77@chuangcheng.example.cn>');
  });

  for (const subject of ['Delivery Status Notification (Failure)', '投递失败', '退信通知']) {
    it(`bounce by subject: ${subject}`, async () => {
      const m = await parseMail(simple(['From: someone@x.cn', `Subject: ${wordB(subject, 'utf-8')}`, 'Auto-Submitted: auto-generated']));
      expect(m.kind).toBe('bounce');
    });
  }

  it('list: List-Id / List-Unsubscribe / Precedence: list', async () => {
    expect((await parseMail(simple(['From: a@x.com', 'Subject: x', 'List-Id: <news.x.com>']))).kindReason).toBe('List-Id header');
    expect((await parseMail(simple(['From: a@x.com', 'Subject: x', 'List-Unsubscribe: <mailto:u@x.com>']))).kind).toBe('list');
    expect((await parseMail(simple(['From: a@x.com', 'Subject: x', 'Precedence: list']))).kind).toBe('list');
  });

  it('a resident subject with everyday words stays normal', async () => {
    for (const subject of [
      '外出散步时发现路灯坏了',
      '快递柜旁边垃圾堆积',
      'Re: [CC-2026-000123] 您的举报已受理',
      '国庆休假期间装修噪音扰民',
      '快递投递失败还乱扔包裹',
      '短信发送失败',
      'Noise on holiday evenings',
    ]) {
      const m = await parseMail(simple(['From: a@qq.com', `Subject: ${wordB(subject, 'gbk')}`, 'In-Reply-To: <ack@x.cn>']));
      expect(m.kind, subject).toBe('normal');
    }
  });
});

describe('bounds and identifiers', () => {
  it('refuses input over maxBytes before parsing', async () => {
    await expect(parseMail(Buffer.alloc(2000, 0x61), { maxBytes: 1000 })).rejects.toThrow(MailTooLargeError);
    await expect(parseMail(Buffer.alloc(2000, 0x61), { maxBytes: 1000 })).rejects.toThrow(/too large/);
  });

  it('rejects what mailparser refuses (too many parts) with a MailParseError, quickly', async () => {
    const parts = Array.from({ length: 3000 }, () => '--x\r\nContent-Type: text/plain\r\n\r\nhi\r\n').join('');
    const raw = Buffer.from(`From: a@b.c\r\nContent-Type: multipart/mixed; boundary="x"\r\n\r\n${parts}--x--\r\n`);
    await expect(parseMail(raw)).rejects.toThrow(MailParseError);
  });

  it('parses 500 nested multiparts without hanging', async () => {
    let body = 'hello';
    for (let i = 0; i < 500; i++) body = `Content-Type: multipart/mixed; boundary="b${i}"\r\n\r\n--b${i}\r\n${body}\r\n--b${i}--\r\n`;
    const m = await parseMail(Buffer.from(`From: a@b.c\r\nSubject: deep\r\n${body}`));
    expect(m.subject).toBe('deep');
  });

  it('keeps Message-IDs in the canonical <…> form', async () => {
    const m = await parseMail(simple(['Message-ID:   <abc@x.cn>  ', 'In-Reply-To: <p@x.cn> (comment)', 'Subject: x']));
    expect(m.messageId).toBe('<abc@x.cn>');
    expect(m.inReplyTo).toEqual(['<p@x.cn>']);
    expect(extractMessageIds('abc@x.cn')).toEqual(['<abc@x.cn>']);
  });

  it('no Message-ID, no Subject, no Date', async () => {
    const m = await parseMail(Buffer.from('From: a@b.c\r\n\r\nhi\r\n'));
    expect(m.messageId).toBeNull();
    expect(m.subject).toBe('');
    expect(m.date).toBeNull();
    expect(m.text).toBe('hi');
    expect(m.defects).toContain('no Message-ID');
  });
});
