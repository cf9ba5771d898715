// The ACS3-HMAC-SHA256 signer against Alibaba Cloud's published worked example ("V3版本请求体&签名机制",
// help.aliyun.com: RunInstances on ecs.cn-shanghai.aliyuncs.com), and the SendSms request we build.
import { describe, expect, it } from 'vitest';
import { acs3Sign, canonicalQuery, percentEncode, sha256Hex } from '../../server/notify/acs3-signature.ts';
import { buildSendSmsRequest } from '../../server/notify/sms-provider.ts';

const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

function runInstances(date: string, nonce: string) {
  return acs3Sign(
    {
      method: 'POST',
      path: '/',
      query: { RegionId: 'cn-shanghai', ImageId: 'win2019_1809_x64_dtc_zh-cn_40G_alibase_20230811.vhd' },
      headers: {
        host: 'ecs.cn-shanghai.aliyuncs.com',
        'x-acs-action': 'RunInstances',
        'x-acs-version': '2014-05-26',
        'x-acs-date': date,
        'x-acs-signature-nonce': nonce,
        'x-acs-content-sha256': sha256Hex(''),
      },
      body: '',
    },
    'YourAccessKeyId',
    'YourAccessKeySecret',
  );
}

describe('ACS3-HMAC-SHA256', () => {
  it("reproduces the doc's worked example: canonical request, string to sign, signature", () => {
    const signed = runInstances('2023-10-26T10:22:32Z', '3156853299f313e23d1673dc12e1703d');
    expect(signed.canonicalRequest).toBe(
      [
        'POST',
        '/',
        'ImageId=win2019_1809_x64_dtc_zh-cn_40G_alibase_20230811.vhd&RegionId=cn-shanghai',
        'host:ecs.cn-shanghai.aliyuncs.com',
        'x-acs-action:RunInstances',
        `x-acs-content-sha256:${EMPTY_SHA256}`,
        'x-acs-date:2023-10-26T10:22:32Z',
        'x-acs-signature-nonce:3156853299f313e23d1673dc12e1703d',
        'x-acs-version:2014-05-26',
        '',
        'host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version',
        EMPTY_SHA256,
      ].join('\n'),
    );
    expect(signed.stringToSign).toBe('ACS3-HMAC-SHA256\n7ea06492da5221eba5297e897ce16e55f964061054b7695beedaac1145b1e259');
    expect(signed.signature).toBe('06563a9e1b43f5dfe96b81484da74bceab24a1d853912eee15083a6f0f3283c0');
    expect(signed.authorization).toBe(
      'ACS3-HMAC-SHA256 Credential=YourAccessKeyId,SignedHeaders=host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version,Signature=06563a9e1b43f5dfe96b81484da74bceab24a1d853912eee15083a6f0f3283c0',
    );
  });

  it("reproduces the doc's header-table example (x-acs-date 2023-10-26T09:01:01Z, nonce d410…)", () => {
    const signed = runInstances('2023-10-26T09:01:01Z', 'd410180a5abf7fe235dd9b74aca91fc0');
    expect(signed.signature).toBe('e521358f7776c97df52e6b2891a8bc73026794a071b50c3323388c4e0df64804');
  });

  it('encodes as RFC 3986 and sorts the query by name', () => {
    expect(percentEncode("a b*c+d/e=f&g:h~!'()")).toBe('a%20b%2Ac%2Bd%2Fe%3Df%26g%3Ah~%21%27%28%29');
    expect(percentEncode('临城')).toBe('%E4%B8%B4%E5%9F%8E');
    expect(canonicalQuery({ b: '2', a: 'x y', B: '1' })).toBe('B=1&a=x%20y&b=2');
  });
});

describe('the SendSms request', () => {
  it('carries the message in the query, signed over the endpoint host', () => {
    const built = buildSendSmsRequest(
      {
        phone: '13812345678',
        signName: '临城创城',
        templateCode: 'SMS_154950909',
        templateParam: { code: 'AC3-K7M-9X6', link: 'https://x.cn/track' },
      },
      { endpoint: 'https://dysmsapi.aliyuncs.com', accessKeyId: 'LTAI-test', accessKeySecret: 'secret' },
      new Date('2026-12-07T06:50:00.123Z'),
      'nonce-1',
    );
    expect(built.method).toBe('POST');
    expect(built.body).toBe('');
    const url = new URL(built.url);
    expect(url.host).toBe('dysmsapi.aliyuncs.com');
    expect(Object.fromEntries(url.searchParams)).toEqual({
      PhoneNumbers: '13812345678',
      SignName: '临城创城',
      TemplateCode: 'SMS_154950909',
      TemplateParam: '{"code":"AC3-K7M-9X6","link":"https://x.cn/track"}',
    });
    expect(built.headers).toMatchObject({
      host: 'dysmsapi.aliyuncs.com',
      'x-acs-action': 'SendSms',
      'x-acs-version': '2017-05-25',
      'x-acs-date': '2026-12-07T06:50:00Z',
      'x-acs-signature-nonce': 'nonce-1',
      'x-acs-content-sha256': EMPTY_SHA256,
    });
    // The signature is the signer's over exactly what is sent.
    const again = acs3Sign(
      { method: 'POST', path: '/', query: Object.fromEntries(url.searchParams), headers: built.headers, body: '' },
      'LTAI-test',
      'secret',
    );
    expect(built.headers['authorization']).toBe(again.authorization);
    expect(again.canonicalRequest.split('\n')[2]).toBe(url.search.slice(1));
  });
});
