// Units' duty phones (值班手机) on /console/units (issue 15, item 1): an administrator sets them
// with a plain form (a wrong number gets a Chinese message saying how to fix it), and the office
// sees the text messages that were not sent below the table.
import type { Page } from '@playwright/test';
import { expect, test } from './fixtures.ts';
import { expectNoAxeViolations } from './support/axe.ts';
import { ensureStaff, loginAs } from './support/staff.ts';

test.beforeAll(() => ensureStaff());

const UNIT = 'fulian';

async function saveDutyPhones(page: Page, text: string): Promise<void> {
  const field = page.locator(`tr[data-unit="${UNIT}"]`).getByLabel(/的值班手机$/);
  await field.fill(text);
  await page.locator(`tr[data-unit="${UNIT}"] form:has(textarea[name="phones"])`).getByRole('button', { name: '保存' }).click();
}

test('an administrator sets a unit’s duty phones; a wrong number is refused in Chinese', async ({ page, consoleErrors }) => {
  consoleErrors.allow(/status of 400/);
  await loginAs(page, 'admin');
  await page.goto('/console/units');

  await saveDutyPhones(page, '0319-1234');
  await expect(page.getByRole('status')).toHaveText('值班手机应为11位手机号码，例如13812345678');

  await saveDutyPhones(page, '139 0000 6655\n13900006655\n13700006655');
  await expect(page.getByRole('status')).toContainText('的值班手机');
  await expect(page.locator(`tr[data-unit="${UNIT}"]`).getByLabel(/的值班手机$/)).toHaveValue('13900006655\n13700006655');
  await expect(page.getByTestId('failed-sms')).toContainText('未发出的短信');
  await expectNoAxeViolations(page, 'units page with duty phones');

  // Cleared again: nothing else is texted because of this spec.
  await saveDutyPhones(page, '');
  await expect(page.getByRole('status')).toContainText('已清除');
  await expect(page.locator(`tr[data-unit="${UNIT}"]`).getByLabel(/的值班手机$/)).toHaveValue('');
});
