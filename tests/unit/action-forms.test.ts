// The ticket page's action forms as data (src/components/console/action-forms.ts): every action
// of the lifecycle has a form, and what each form sends when filled as a person would is accepted
// by the one schema of staff actions — so no form can drift from what the server takes.
import { describe, expect, it } from 'vitest';
import { ticketActionSchema } from '../../server/staff/action-schema.ts';
import { ACTIONS } from '../../server/tickets/lifecycle.ts';
import { ACTION_FORMS, type FormState } from '../../src/components/console/action-forms.ts';

const FILLED: FormState = {
  values: {
    unitCode: 'jiaojing',
    categoryCode: '',
    remarks: '',
    reason: '单位已在点评会上认领',
    suggestedUnitCode: '',
    requestedDeadline: '2026-12-20',
    deadline: '2026-12-20',
    text: '已在路口增设标志牌',
    noPhoto: 'yes',
    noPhotoReason: '现场只在夜间出现',
    note: '',
    intoTrackingCode: 'AC3-K7M-9XP',
  },
  cooperating: ['jiaojing', 'zhujianju'],
  photos: [],
};

describe('action forms', () => {
  it.each(ACTIONS)('the %s form sends an act the staff action schema accepts', (action) => {
    const form = ACTION_FORMS[action];
    expect(form.precheck?.(FILLED) ?? null).toBeNull();
    const parsed = ticketActionSchema.safeParse({ action, ...form.input(FILLED) });
    expect(parsed.error?.issues ?? []).toEqual([]);
  });

  it('shows a reason field exactly where the schema asks for a reason', () => {
    for (const action of ACTIONS) {
      const form = ACTION_FORMS[action];
      const sent = form.input(FILLED);
      expect(form.parts.includes('reason'), action).toBe('reason' in sent);
      expect(Boolean(form.reason), action).toBe(form.parts.includes('reason'));
    }
  });

  it('leaves the lead unit out of the cooperating units it sends', () => {
    expect(ACTION_FORMS.dispatch.input(FILLED)).toMatchObject({ cooperatingUnitCodes: ['zhujianju'] });
  });

  it('refuses a request for more time without a date, and a report while photos are still uploading', () => {
    expect(ACTION_FORMS.requestExtension.precheck?.({ ...FILLED, values: { reason: 'x' } })).toEqual({
      requestedDeadline: '请选择申请延至的日期',
    });
    const uploading = { ...FILLED, photos: [{ state: 'uploading' }] as FormState['photos'] };
    expect(ACTION_FORMS.reportRectification.precheck?.(uploading)).toHaveProperty('photoIds');
  });
});
