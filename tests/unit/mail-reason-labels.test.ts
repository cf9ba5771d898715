// The mailbox page's words for what the pipeline records in English (mail_messages.reason):
// why a mail was quarantined, and why a new ticket's sender got no acknowledgement (issue 11 item 6).
import { describe, expect, it } from 'vitest';
import { mailReasonLabel } from '../../src/components/console/labels.ts';

describe('mailReasonLabel', () => {
  it('says why no acknowledgement went out', () => {
    expect(mailReasonLabel('no acknowledgement: sender not authenticated (no Authentication-Results from mx.lincheng.gov.cn)')).toBe(
      '未发受理回执：发件人未经收信服务器验证，可能是冒用的地址（no Authentication-Results from mx.lincheng.gov.cn）',
    );
    expect(mailReasonLabel('no acknowledgement: 3 already sent to this sender in 24 hours (MAIL_ACKS_PER_SENDER_PER_DAY)')).toBe(
      '未发受理回执：24小时内已向这位发件人发过 3 封回执',
    );
    expect(mailReasonLabel('no acknowledgement: 100 already sent to qq.com in 24 hours (MAIL_ACKS_PER_DOMAIN_PER_DAY)')).toBe(
      '未发受理回执：24小时内已向 @qq.com 的邮箱发过 100 封回执',
    );
    expect(mailReasonLabel('no acknowledgement: no valid sender address')).toBe('未发受理回执：发件地址无效');
  });

  it('still says why a mail was quarantined', () => {
    expect(mailReasonLabel('flood')).toBe('同一发件人24小时内来信过多，疑似刷屏，已暂停受理');
    expect(mailReasonLabel(null)).toBe('（未记录原因）');
  });
});
