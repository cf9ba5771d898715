// Callers' numbers are kept so they can be called back: digits as dialled within China, never
// losing a leading 0 on the way (issue 12, item 4), from the console's box, the schema of a call
// and the form model that feeds it.
import { describe, expect, it } from 'vitest';
import { emptyForm, toCallInput } from '../../src/components/hotline/hotline-model.ts';
import { callInputSchema } from '../../server/hotline/call-schema.ts';
import { normalizePhone, withoutPhoneNumbers } from '../../server/tickets/phone.ts';

describe('normalizePhone', () => {
  it('keeps a landline’s leading 0, however it is written', () => {
    for (const raw of ['03195551234', '0319-5551234', '0319 555 1234', '(0319) 555-1234', '０３１９－５５５１２３４'.normalize('NFKC')]) {
      expect(normalizePhone(raw), raw).toBe('03195551234');
    }
    expect(normalizePhone('010-12345678')).toBe('01012345678');
  });

  it('drops a +86/0086 country code, and gives a landline written with it its trunk 0 back', () => {
    expect(normalizePhone('+86 138-1234-5678')).toBe('13812345678');
    expect(normalizePhone('0086 13812345678')).toBe('13812345678');
    expect(normalizePhone('+86 319 555 1234')).toBe('03195551234');
    expect(normalizePhone('+86 (0)319 5551234')).toBe('03195551234');
    expect(normalizePhone('0086-10-12345678')).toBe('01012345678');
  });

  it('leaves numbers that only begin with 86 alone', () => {
    expect(normalizePhone('8612345')).toBe('8612345');
    expect(normalizePhone('86123456')).toBe('86123456');
    expect(normalizePhone('12345')).toBe('12345');
  });
});

describe('a call’s number on its way to the server', () => {
  it('keeps the leading 0 from the console form through the schema of a call', () => {
    const form = { ...emptyForm(), phone: '03195551234', description: '建设路商业街门口垃圾没人清理' };
    const input = toCallInput(form, 'call-test');
    expect(input.caller.phone).toBe('03195551234');
    const parsed = callInputSchema.parse(input);
    expect(parsed.caller.phone).toBe('03195551234');
    // Sent as JSON, still a string.
    expect(callInputSchema.parse(JSON.parse(JSON.stringify(input))).caller.phone).toBe('03195551234');
  });
});

describe('withoutPhoneNumbers (the public rectification summary)', () => {
  it('blanks mobile numbers and landlines however they are written, and leaves other numbers', () => {
    expect(withoutPhoneNumbers('联系人张师傅 13900001111，已处理')).toBe('联系人张师傅 （电话已隐去），已处理');
    expect(withoutPhoneNumbers('电话139-0000-1111或+86 139 0000 1111')).toBe('电话（电话已隐去）或（电话已隐去）');
    expect(withoutPhoneNumbers('值班电话0319-5551234')).toBe('值班电话（电话已隐去）');
    expect(withoutPhoneNumbers('增设垃圾桶2个，清运垃圾3.5吨，12月7日完成，编号20261207001')).toBe(
      '增设垃圾桶2个，清运垃圾3.5吨，12月7日完成，编号20261207001',
    );
  });
});
