// Issue 11 item 6 (mail backscatter): reading Authentication-Results (RFC 8601) from the trusted
// server only, the alignment of a pass with the From domain, one sender however it is +tagged,
// and what an acknowledgement may quote of a subject. Headers marked "corpus" are as real servers
// wrote them (tests/fixtures/mail-corpus).
import { describe, expect, it } from 'vitest';
import { quoteSubject } from '../../server/intake/mail/acknowledgement.ts';
import { authenticateSender, parseAuthenticationResults } from '../../server/intake/mail/authentication-results.ts';
import { senderDomain, senderKey } from '../../server/intake/mail/sender-address.ts';

describe('parseAuthenticationResults', () => {
  it('reads the authserv-id and several results, with comments and properties (corpus: Gmail)', () => {
    const header = [
      'mx.example.com;',
      '       dkim=pass header.i=@example.com header.s=20161025 header.b=RJNz7oaY;',
      '       spf=pass (example.com: domain of dummy@example.com designates 209.85.220.41 as permitted sender) smtp.mailfrom=dummy@example.com;',
      '       dmarc=pass (p=NONE sp=QUARANTINE dis=NONE) header.from=example.com',
    ].join(' ');
    expect(parseAuthenticationResults(header)).toEqual({
      authservId: 'mx.example.com',
      results: [
        {
          method: 'dkim',
          version: null,
          result: 'pass',
          reason: null,
          properties: { 'header.i': '@example.com', 'header.s': '20161025', 'header.b': 'RJNz7oaY' },
        },
        { method: 'spf', version: null, result: 'pass', reason: null, properties: { 'smtp.mailfrom': 'dummy@example.com' } },
        { method: 'dmarc', version: null, result: 'pass', reason: null, properties: { 'header.from': 'example.com' } },
      ],
    });
  });

  it('ignores case, nested comments, quoted strings with ; and ( in them, a version and spaces around = and /', () => {
    const parsed = parseAuthenticationResults(
      'MX.Lincheng.Example 1 (our (inner) comment; not a result); DKIM / 1 = PASS reason="good; (really) \\"signed\\"" Header.D = Example.NET (the \\) signer) header.s="sel 1"; SPF=SoftFail smtp.mailfrom=a@b.example',
    );
    expect(parsed).toEqual({
      authservId: 'MX.Lincheng.Example',
      results: [
        {
          method: 'dkim',
          version: '1',
          result: 'pass',
          reason: 'good; (really) "signed"',
          properties: { 'header.d': 'Example.NET', 'header.s': 'sel 1' },
        },
        { method: 'spf', version: null, result: 'softfail', reason: null, properties: { 'smtp.mailfrom': 'a@b.example' } },
      ],
    });
  });

  it('says none for a header with no results, and skips what is not a result', () => {
    expect(parseAuthenticationResults('mx.example.org; none')).toEqual({ authservId: 'mx.example.org', results: [] });
    expect(parseAuthenticationResults('mx.example.org;; junk ; dkim=pass header.d=example.org; = ;')?.results).toEqual([
      { method: 'dkim', version: null, result: 'pass', reason: null, properties: { 'header.d': 'example.org' } },
    ]);
    // corpus (Yahoo): stray words after the authserv-id and between results.
    expect(
      parseAuthenticationResults(
        'mta508.mail.kks.y.example.co.jp  from=y.example.co.jp; domainkeys=pass (ok); dkim=pass (ok); header.i=@y.example.co.jp',
      )?.results.map((r) => `${r.method}=${r.result}`),
    ).toEqual(['domainkeys=pass', 'dkim=pass']);
  });

  it('reads two results of one method and a full header.b that ends in = (OpenDKIM)', () => {
    const parsed = parseAuthenticationResults(
      'cauldrondevelopment.com; dkim=pass (1024-bit key) header.d=cauldrondevelopment.com header.i=@cauldrondevelopment.com header.b=qJVneN34hw2tMOy6++jymzgWxLStNSFp5jsZq6CX5JRYQL9H2nCxmAPwUa/tN2nK2NdaWbfnzlYYLJ6Mrdg3iDvBPmyY6b6IimgPnNnyrB9l1UFZX05xlJJvHPBOx0PFMgkUhMY8zADwTZY1nEXqCs2foIKhlfQF2DBFEOlPIAE=; dkim=fail (bad signature) header.d=example.org header.s=x',
    );
    expect(parsed?.results.map((r) => [r.method, r.result, r.properties['header.d']])).toEqual([
      ['dkim', 'pass', 'cauldrondevelopment.com'],
      ['dkim', 'fail', 'example.org'],
    ]);
    expect(parsed?.results[1]?.properties['header.s']).toBe('x');
  });

  it('finds no authserv-id in a header that opens with a result (corpus: Microsoft)', () => {
    expect(
      parseAuthenticationResults(
        'spf=pass (sender IP is 104.47.124.209) smtp.helo=APC01-HK2-obe.outbound.protection.outlook.com; outlook.com; dkim=none (message not signed) header.d=none;outlook.com; dmarc=pass action=none header.from=outlook.com;',
      ),
    ).toBeNull();
    expect(parseAuthenticationResults('')).toBeNull();
    expect(parseAuthenticationResults('   (only a comment)')).toBeNull();
  });

  it('survives unterminated comments and quotes', () => {
    expect(parseAuthenticationResults('mx.example.org; dkim=pass (unterminated header.d=evil.example')?.results).toEqual([
      { method: 'dkim', version: null, result: 'pass', reason: null, properties: {} },
    ]);
    expect(parseAuthenticationResults('mx.example.org; dkim=pass reason="open')?.results[0]?.reason).toBe('open');
  });
});

describe('authenticateSender', () => {
  const TRUSTED = ['mx.lincheng.example'];
  const ours = (results: string) => `mx.lincheng.example; ${results}`;

  it('believes an aligned dmarc=pass from the trusted server', () => {
    expect(authenticateSender([ours('dmarc=pass header.from=qq.com')], 'resident@qq.com', TRUSTED)).toEqual({
      authenticated: true,
      detail: 'dmarc=pass header.from=qq.com',
    });
    // authserv-ids compare case-insensitively; the From domain too.
    expect(authenticateSender(['MX.LINCHENG.EXAMPLE; DMARC=PASS header.from=QQ.COM'], 'resident@qq.com', TRUSTED).authenticated).toBe(true);
  });

  it('ignores results from any other authserv-id, however good they look', () => {
    const forged =
      'mx.spammer.example; dmarc=pass header.from=example.net; dkim=pass header.d=example.net; spf=pass smtp.mailfrom=example.net';
    expect(authenticateSender([forged], 'victim@example.net', TRUSTED)).toEqual({
      authenticated: false,
      detail: 'no Authentication-Results from mx.lincheng.example',
    });
    expect(authenticateSender([forged, ours('spf=fail smtp.mailfrom=example.net')], 'victim@example.net', TRUSTED)).toMatchObject({
      authenticated: false,
      detail: expect.stringContaining('spf=fail'),
    });
  });

  it('believes nothing without a trusted server configured', () => {
    expect(authenticateSender([ours('dmarc=pass header.from=qq.com')], 'resident@qq.com', [])).toEqual({
      authenticated: false,
      detail: 'no trusted mail server configured (MAIL_AUTHSERV_ID)',
    });
  });

  it('wants the pass aligned with the From domain', () => {
    const check = (results: string, from = 'resident@mail.example.com') => authenticateSender([ours(results)], from, TRUSTED).authenticated;
    // dmarc: header.from is the From domain itself.
    expect(check('dmarc=pass header.from=example.com')).toBe(false);
    expect(check('dmarc=pass')).toBe(false);
    // dkim: header.d or header.i, the From domain or a parent of it.
    expect(check('dkim=pass header.d=mail.example.com')).toBe(true);
    expect(check('dkim=pass header.d=example.com')).toBe(true);
    expect(check('dkim=pass header.i=someone@example.com')).toBe(true);
    expect(check('dkim=pass header.i=@example.com')).toBe(true);
    expect(check('dkim=pass header.d=sub.mail.example.com')).toBe(false);
    expect(check('dkim=pass header.d=badexample.com')).toBe(false);
    expect(check('dkim=pass header.d=com')).toBe(false);
    expect(check('dkim=pass header.d=spammer.example')).toBe(false);
    expect(check('dkim=fail header.d=example.com')).toBe(false);
    // spf: the domain of smtp.mailfrom, likewise.
    expect(check('spf=pass smtp.mailfrom=bounce@example.com')).toBe(true);
    expect(check('spf=pass smtp.mailfrom=example.com')).toBe(true);
    expect(check('spf=pass smtp.mailfrom=<>')).toBe(false);
    expect(check('spf=pass smtp.helo=mail.example.com')).toBe(false);
    expect(check('spf=softfail smtp.mailfrom=example.com')).toBe(false);
    expect(check('spf=pass smtp.mailfrom=spammer.example')).toBe(false);
  });

  it('takes the trusted server’s dmarc=fail over any pass, and reads several headers', () => {
    const forged = ours('dmarc=pass header.from=example.net');
    const real = ours('dkim=none; spf=softfail smtp.mailfrom=example.net; dmarc=fail (p=reject) header.from=example.net');
    expect(authenticateSender([real, forged], 'victim@example.net', TRUSTED)).toEqual({
      authenticated: false,
      detail: 'dmarc=fail for example.net',
    });
    expect(
      authenticateSender([ours('spf=none smtp.mailfrom=x.example'), ours('dkim=pass header.d=example.net')], 'victim@example.net', TRUSTED)
        .authenticated,
    ).toBe(true);
    expect(authenticateSender([ours('dmarc=pass header.from=example.net')], null, TRUSTED).authenticated).toBe(false);
  });

  it('trusts each of several servers', () => {
    const trusted = ['mx1.lincheng.example', 'mx2.lincheng.example'];
    expect(authenticateSender(['mx2.lincheng.example; dmarc=pass header.from=163.com'], 'a@163.com', trusted).authenticated).toBe(true);
  });
});

describe('sender addresses', () => {
  it('fold +tags and case into one sender', () => {
    expect(senderKey('Victim+1@Example.NET')).toBe('victim@example.net');
    expect(senderKey('victim+a+b@example.net')).toBe('victim@example.net');
    expect(senderKey('victim@example.net')).toBe('victim@example.net');
    expect(senderKey('+only@example.net')).toBe('+only@example.net');
    expect(senderDomain('victim+1@Example.NET')).toBe('example.net');
  });
});

describe('quoteSubject', () => {
  it('drops the link of the repro and keeps the rest', () => {
    expect(quoteSubject('广告：访问 http://spam.example 领奖')).toBe('广告：访问 领奖');
  });

  it('removes links with or without a scheme, bare domains and e-mail addresses, also in full-width forms', () => {
    expect(quoteSubject('看这里https://spam.example/a?b=1领奖')).toBe('看这里 领奖');
    expect(quoteSubject('访问 www.spam.example 领奖')).toBe('访问 领奖');
    expect(quoteSubject('访问spam.example.cn/x领奖')).toBe('访问 领奖');
    expect(quoteSubject('联系 boss@spam.example 领奖')).toBe('联系 领奖');
    expect(quoteSubject('访问ｈｔｔｐ：／／ｓｐａｍ．ｅｘａｍｐｌｅ领奖')).toBe('访问 领奖');
    expect(quoteSubject('访问 spam。example 领奖')).toBe('访问 领奖');
    expect(quoteSubject('访问 h\u200bttp://spam.example 领奖')).toBe('访问 领奖');
    expect(quoteSubject('http://spam.example')).toBe('');
  });

  it('keeps ordinary subjects, numbers and decimals', () => {
    expect(quoteSubject('人民路3.5号门口井盖缺失')).toBe('人民路3.5号门口井盖缺失');
    expect(quoteSubject('Re: 路灯不亮')).toBe('Re: 路灯不亮');
  });

  it('quotes at most 20 characters', () => {
    const long = '建设路与人民路交叉口东北角的垃圾桶已经满了三天没有人清运';
    expect(quoteSubject(long)).toBe(`${Array.from(long).slice(0, 20).join('')}…`);
    expect(Array.from(quoteSubject('😀'.repeat(30))).length).toBe(21);
  });
});
