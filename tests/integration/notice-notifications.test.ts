// Exposure notices and who hears of them (issue 12, items 1 and 6), on SQLite and PostgreSQL,
// through the tRPC API: publishing only the version the office confirmed; the exposed unit told
// by mail and in its console when a notice about it goes public (again); the office told when a
// response is submitted, the unit when it is returned; a response photo goes public only with the
// caption its unit wrote.
import { TRPCError } from '@trpc/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StaffUser } from '../../server/auth/roles.ts';
import { listMail, type MailRecord } from '../../server/notify/mail-outbox-repository.ts';
import { publicSnapshot } from '../../server/publish/public-projection.ts';
import { appRouter } from '../../server/trpc/app-router.ts';
import { databaseKinds } from '../support/databases.ts';
import { startTestPortal, type TestPortal } from '../support/portal.ts';
import { createStaff } from '../support/staff-accounts.ts';
import { uploadAfterPhoto } from '../support/ticket-factory.ts';

const kinds = await databaseKinds();

async function failure(p: Promise<unknown>): Promise<TRPCError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof TRPCError) return err;
    throw err;
  }
  throw new Error('expected the call to fail');
}

describe.each(kinds)('exposure notice notifications on %s', (kind) => {
  let t: TestPortal;
  let users: Record<string, StaffUser> = {};
  const as = (name: string) =>
    appRouter.createCaller({ app: t.portal.services, request: { ip: '10.0.0.2', sameOrigin: true }, user: users[name] ?? null });
  const mails = async (kind: string): Promise<MailRecord[]> => (await listMail(t.portal.database.db, { kind })).reverse();
  let code: string;
  let noticeId: number;
  let slug: string;

  beforeAll(async () => {
    t = await startTestPortal(kind);
    users = await createStaff(t, [
      ['office', 'dispatcher'],
      ['leader', 'leader'],
      ['zhujian', 'unit', 'zhujianju'],
    ]);
    code = (await t.caller().report.submit({ description: '建设路商业街多家店铺门口乱堆纸箱，垃圾没人扫，行人只能走到马路上' }))
      .trackingCode;
  });

  afterAll(async () => {
    await t?.close();
  });

  it('publishes only the version the office confirmed: a notice changed since is refused and nobody is told', async () => {
    t.clock.set('2026-12-01T02:00:00.000Z');
    const draft = await as('office').staff.notices.saveDraft({
      trackingCodes: [code],
      title: '建设路商业街店铺门口乱堆纸箱',
      body: '经查，建设路商业街多家店铺门口长期乱堆纸箱，责任单位未按期整改，现予曝光。',
      unitCode: 'zhujianju',
      responseDueAt: '2026-12-08T15:59:59.000Z',
    });
    noticeId = draft.id;
    expect(draft.version).toMatch(/^[0-9a-f]{16}$/);
    expect((await as('office').staff.notices.get({ id: noticeId })).version).toBe(draft.version);

    // A colleague changes the title after this office user confirmed.
    await as('office').staff.notices.saveDraft({
      id: noticeId,
      trackingCodes: [code],
      title: '建设路商业街店铺门口乱堆纸箱问题曝光',
      body: '经查，建设路商业街多家店铺门口长期乱堆纸箱，责任单位未按期整改，现予曝光。',
      unitCode: 'zhujianju',
      responseDueAt: '2026-12-08T15:59:59.000Z',
    });
    const stale = await failure(as('office').staff.notices.publish({ id: noticeId, version: draft.version }));
    expect(stale.code).toBe('CONFLICT');
    expect(stale.message).toContain('请重新核对要公开的内容');
    expect((await as('office').staff.notices.get({ id: noticeId })).status).toBe('draft');
    expect(await mails('notice-published')).toEqual([]);
    expect((await failure(as('office').staff.notices.publish({ id: noticeId, version: 'xyz' }))).code).toBe('BAD_REQUEST');

    const current = await as('office').staff.notices.get({ id: noticeId });
    expect(current.version).not.toBe(draft.version);
    const published = await as('office').staff.notices.publish({ id: noticeId, version: current.version });
    expect(published.status).toBe('published');
    slug = published.slug!;
  });

  it('tells the exposed unit by mail and in its console; the office has nothing to review yet', async () => {
    const [mail, ...more] = await mails('notice-published');
    expect(more).toEqual([]);
    expect(mail!.unitCode).toBe('zhujianju');
    expect(mail!.to).toEqual(t.portal.services.catalog.unit('zhujianju')!.emails);
    expect(mail!.subject).toBe(`【曝光通报】建设路商业街店铺门口乱堆纸箱问题曝光（编号 ${slug}）`);
    expect(mail!.text).toContain('临城县住房和城乡建设局：');
    expect(mail!.text).toContain('回应期限：2026年12月8日 23:59');
    expect(mail!.text).toContain(`http://127.0.0.1:4321/console/notices/${noticeId}`);
    expect(mail!.text).toContain(`http://127.0.0.1:4321/notices/${slug}/`);
    expect(mail!.text).toContain('经查，建设路商业街多家店铺门口长期乱堆纸箱');

    const waiting = await as('zhujian').staff.notices.awaiting();
    expect(waiting.map((n) => [n.id, n.response])).toEqual([[noticeId, null]]);
    expect(await as('office').staff.notices.awaiting()).toEqual([]);
    expect(await as('leader').staff.notices.awaiting()).toEqual([]);
  });

  it('a response photo needs its caption before the response is submitted; its text is never made up', async () => {
    t.clock.set('2026-12-03T02:00:00.000Z');
    const photo = await uploadAfterPhoto(t, 'zhujianju');
    const input = { noticeId, body: '我局已组织清理建设路商业街店铺门口的纸箱和垃圾，并落实门前五包责任。', photos: [{ id: photo }] };
    const saved = await as('zhujian').staff.notices.response.save(input);
    expect(saved.responseDetail?.photos).toMatchObject([{ id: photo, alt: '' }]);

    const refused = await failure(as('zhujian').staff.notices.response.submit(input));
    expect(refused.code).toBe('BAD_REQUEST');
    expect(refused.message).toBe('还有1张整改后照片没有填写说明，请为每张照片填写说明后再提交审核');
    expect((await as('zhujian').staff.notices.get({ id: noticeId })).responseDetail?.status).toBe('draft');
    expect(await mails('response-submitted')).toEqual([]);
    expect((await as('zhujian').staff.notices.awaiting()).map((n) => n.response?.status)).toEqual(['draft']);

    t.clock.set('2026-12-03T03:00:00.000Z');
    await as('zhujian').staff.notices.response.submit({ ...input, photos: [{ id: photo, alt: '店铺门口纸箱已清走，地面已清扫' }] });
    const [mail, ...more] = await mails('response-submitted');
    expect(more).toEqual([]);
    const office = t.portal.services.catalog.unit(t.portal.services.catalog.officeUnitCode)!;
    expect(mail!.unitCode).toBe(office.code);
    expect(mail!.to).toEqual(office.emails);
    expect(mail!.subject).toBe('【回应待审核】临城县住房和城乡建设局：建设路商业街店铺门口乱堆纸箱问题曝光');
    expect(mail!.text).toContain(`${office.name}：`);
    expect(mail!.text).toContain('我局已组织清理建设路商业街店铺门口的纸箱和垃圾');
    expect(mail!.text).toContain('整改后照片：1张');
    expect(mail!.text).toContain('提交时间：2026年12月3日 11:00');
    expect(mail!.text).toContain(`http://127.0.0.1:4321/console/notices/${noticeId}`);

    expect(await as('zhujian').staff.notices.awaiting()).toEqual([]);
    expect((await as('office').staff.notices.awaiting()).map((n) => [n.id, n.response?.submittedAt])).toEqual([
      [noticeId, '2026-12-03T03:00:00.000Z'],
    ]);
  });

  it('a returned response is mailed to the unit with the note, waits in its console again, and its resubmission is marked', async () => {
    t.clock.set('2026-12-04T02:00:00.000Z');
    await as('office').staff.notices.response.review({ noticeId, decision: 'return', note: '请补充长效管理措施' });
    const [returned] = await mails('response-returned');
    expect(returned!.to).toEqual(t.portal.services.catalog.unit('zhujianju')!.emails);
    expect(returned!.subject).toBe('【回应退回】建设路商业街店铺门口乱堆纸箱问题曝光：请修改后重新提交');
    expect(returned!.text).toContain('请补充长效管理措施');
    expect((await as('zhujian').staff.notices.awaiting()).map((n) => n.response?.status)).toEqual(['returned']);
    expect(await as('office').staff.notices.awaiting()).toEqual([]);

    const detail = await as('zhujian').staff.notices.get({ id: noticeId });
    await as('zhujian').staff.notices.response.submit({
      noticeId,
      body: `${detail.responseDetail!.body}今后每日巡查，建立门前五包台帐。`,
      photos: detail.responseDetail!.photos.map((p) => ({ id: p.id, alt: p.alt })),
    });
    const submitted = await mails('response-submitted');
    expect(submitted.map((m) => m.subject.endsWith('（修改后重新提交）'))).toEqual([false, true]);
  });

  it("the public page shows the unit's own caption under its photo", async () => {
    await as('office').staff.notices.response.review({ noticeId, decision: 'publish' });
    const snapshot = await publicSnapshot(
      { db: t.portal.database.db, catalog: t.portal.services.catalog, mediaDir: '/nonexistent' },
      t.clock.now(),
    );
    const notice = snapshot.notices.find((n) => n.slug === slug)!;
    expect(notice.response?.photos.map((p) => [p.kind, p.alt])).toEqual([['after', '店铺门口纸箱已清走，地面已清扫']]);
  });

  it('publishing a withdrawn notice again tells the unit again', async () => {
    t.clock.set('2026-12-05T02:00:00.000Z');
    await as('office').staff.notices.withdraw({ id: noticeId, reason: '核实后需补充材料，暂时撤回' });
    await as('office').staff.notices.publish({ id: noticeId });
    const subjects = (await mails('notice-published')).map((m) => m.subject);
    expect(subjects).toEqual([
      `【曝光通报】建设路商业街店铺门口乱堆纸箱问题曝光（编号 ${slug}）`,
      `【曝光重新发布】建设路商业街店铺门口乱堆纸箱问题曝光（编号 ${slug}）`,
    ]);
  });
});
