// content/site.json's placeholders (issue 12, item 10): the seed's phone, hotline, ICP number,
// domain and mailbox are found by what marks them as such — digits written as X, a domain
// reserved for examples — so a county's real values, whatever they are, pass.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { sitePlaceholders } from '../../server/publish/site-placeholders.ts';

const seed = JSON.parse(readFileSync(path.resolve(import.meta.dirname, '../../content/site.json'), 'utf8')) as Record<string, unknown>;

describe('site.json placeholders', () => {
  it('finds the seed’s phone, hotline, mailbox, ICP number and domain, each with its Chinese name', () => {
    expect(sitePlaceholders(seed)).toEqual([
      { field: 'phone', label: '联系电话', value: '0319-XXXXXXX' },
      { field: 'hotline', label: '创城专用热线', value: '0319-XXXXXXX' },
      { field: 'mailbox', label: '创城专用邮箱', value: 'chuangcheng@lincheng.example' },
      { field: 'icp', label: 'ICP备案号', value: '冀ICP备XXXXXXXX号-1' },
      { field: 'domain', label: '网站域名', value: 'wmcc.lincheng.example' },
    ]);
  });

  it('passes a county’s own values', () => {
    const real = {
      ...seed,
      phone: '0319-7012345',
      hotline: '0319-7012300',
      mailbox: 'chuangcheng@lincheng.gov.cn',
      icp: '冀ICP备13012345号-1',
      domain: 'wmcc.lincheng.gov.cn',
    };
    expect(sitePlaceholders(real)).toEqual([]);
  });

  it('knows every name reserved for examples, with or without a port', () => {
    for (const domain of ['example.com', 'www.example.org', 'site.test', 'portal.invalid', 'localhost', 'wmcc.example:8080']) {
      expect(sitePlaceholders({ domain }), domain).toHaveLength(1);
    }
    for (const domain of ['wmcc.lincheng.gov.cn', 'examples.cn', 'testing.lincheng.gov.cn']) {
      expect(sitePlaceholders({ domain }), domain).toEqual([]);
    }
  });
});
