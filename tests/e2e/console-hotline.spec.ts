// The hotline end to end at 1280×720, with the keyboard only once signed in (issue 5, "Done
// when"): an operator logs a call that becomes a ticket whose tracking code is shown large; a
// second call about the same point finds it among the likely duplicates and is added to it (+1);
// a consultation is recorded without a ticket; after the office closes the first ticket (through
// the API, as the office and the unit would), its follow-up call (回访) recorded as "not fixed"
// reopens it. The call screen fits 1280×720 without scrolling (checked, and screenshotted).
// Issue 12: what the operator types before the screen's script is ready is kept (a landline's
// leading 0 included), and the point search lists name matches first with nothing highlighted.
import type { Page } from '@playwright/test';
import { expect, tabTo, test } from './fixtures.ts';
import { expectNoAxeViolations } from './support/axe.ts';
import { closeTicketThroughApi, ensureStaff, loginAs, staffApiAs, waitForIslands } from './support/staff.ts';

test.use({ viewport: { width: 1280, height: 720 }, isMobile: false, hasTouch: false, deviceScaleFactor: 1 });
test.describe.configure({ mode: 'serial' });

const FIRST_CALLER = '13912345678';
const NEIGHBOUR = '13800001111';
const PROBLEM = '锦绣家园小区3号楼楼道里堆满了杂物，把消防通道都堵住了';
const SAME_PROBLEM = '锦绣家园小区3号楼楼道的杂物一直没人清理，消防通道过不去';
const QUESTION = '想问一下创城志愿者在哪里报名';
const ANSWER = '可以到所在社区居委会报名，也可以关注县文明办公众号报名';
const HOUSING_BUREAU = '临城县住房和城乡建设局';

let firstCode = '';

test.beforeAll(() => ensureStaff());

/** The page never scrolls at 1280×720: everything of the call is on one screen. */
async function expectOneScreen(page: Page): Promise<void> {
  const height = await page.evaluate(() => document.scrollingElement!.scrollHeight);
  expect(height, 'the hotline screen scrolls at 1280×720').toBeLessThanOrEqual(720);
  const submitOrNext = page.locator('#hl-submit, #hl-next');
  const box = await submitOrNext.boundingBox();
  expect(box, 'the button that records the call is on screen').not.toBeNull();
  expect(box!.y + box!.height).toBeLessThanOrEqual(720);
}

/** Signs the operator in; the hotline screen is where they land, ready for the number. */
async function openHotline(page: Page): Promise<void> {
  await loginAs(page, 'operator');
  await expect(page).toHaveURL(/\/console\/hotline$/);
  await waitForIslands(page);
  await expect(page.locator('#hl-phone')).toBeFocused();
}

/** Types into the point search and chooses the first match with ↓ and Enter (nothing is highlighted before ↓). */
async function choosePoint(page: Page, query: string, name: string): Promise<void> {
  await tabTo(page, '#hl-point');
  await page.keyboard.type(query);
  await expect(page.getByRole('option', { name: new RegExp(name) })).toBeVisible();
  await expect(page.locator('#hl-point')).toHaveAttribute('aria-expanded', 'true');
  await expect(page.locator('#hl-point')).not.toHaveAttribute('aria-activedescendant', /./);
  await page.keyboard.press('ArrowDown');
  await expect(page.locator('#hl-point')).toHaveAttribute('aria-activedescendant', 'hl-point-option-0');
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('point-chosen')).toContainText(name);
  await expect(page.locator('#hl-point')).toHaveValue(name);
}

test('an operator logs a call by keyboard: the ticket’s tracking code is shown large', async ({ page }, testInfo) => {
  await openHotline(page);
  const nav = page.locator('.console-nav');
  await expect(nav).toContainText('热线受理');
  await expect(nav).toContainText('回访');
  await expect(page.locator('#hotline-keys')).toContainText('Ctrl+Enter');

  // Ctrl+Enter on an empty form: the message is beside the description, and the focus is there.
  await page.keyboard.press('Control+Enter');
  await expect(page.locator('#hl-description-error')).toHaveText('请记录来电内容');
  await expect(page.locator('#hl-description')).toBeFocused();
  await expect(page.locator('#hl-description')).toHaveAttribute('aria-invalid', 'true');

  // Number, name, the two checkboxes, then what the caller says, in the order of the screen.
  await page.keyboard.press('Shift+Tab'); // call-back
  await page.keyboard.press('Shift+Tab'); // anonymity
  await page.keyboard.press('Shift+Tab'); // name
  await page.keyboard.press('Shift+Tab');
  await expect(page.locator('#hl-phone')).toBeFocused();
  await page.keyboard.type(FIRST_CALLER);
  await expect(page.getByTestId('caller-history')).toContainText('这个号码以前没有来电');
  await page.keyboard.press('Tab');
  await expect(page.locator('#hl-name')).toBeFocused();
  await page.keyboard.type('王女士');
  await page.keyboard.press('Tab');
  await expect(page.locator('#hl-anonymous')).toBeFocused();
  await page.keyboard.press('Tab');
  await expect(page.locator('#hl-callback')).toBeFocused();
  await expect(page.locator('#hl-callback')).toBeChecked();
  await page.keyboard.press('Tab');
  await expect(page.locator('#hl-description')).toBeFocused();
  await page.keyboard.type(PROBLEM);
  await expect(page.locator('#hl-description-error')).toHaveCount(0);

  // The router's suggestion; one key takes it.
  await expect(page.getByTestId('suggestion')).toContainText('小区环境卫生');
  await page.keyboard.press('Tab');
  await expect(page.locator('#hl-category')).toBeFocused();
  await page.keyboard.press('Alt+A');
  await expect(page.locator('#hl-category')).toHaveValue('compound.environment');
  await expect(page.getByTestId('suggestion')).toContainText(`将转交：${HOUSING_BUREAU}`);

  await choosePoint(page, '锦绣', '锦绣家园小区');
  await expect(page.locator('.hotline-duplicates')).not.toContainText('正在查找');
  await page.keyboard.press('Alt+1');
  await expect(page.locator('#hl-outcome-ticket')).toBeChecked();
  await expect(page.locator('#hl-outcome-ticket')).toBeFocused();
  await expectOneScreen(page);
  await page.screenshot({ path: testInfo.outputPath('hotline-first-call-1280x720.png') });

  await page.keyboard.press('Control+Enter');
  const result = page.getByTestId('call-result');
  await expect(result).toContainText('已生成工单');
  await expect(result).toContainText(`已转交${HOUSING_BUREAU}办理`);
  const code = page.getByTestId('tracking-code');
  firstCode = ((await code.textContent()) ?? '').trim();
  expect(firstCode).toMatch(/^[0-9A-Z]{3}-[0-9A-Z]{3}-[0-9A-Z]{3}$/);
  // Large enough to read back from across the desk.
  const size = await code.evaluate((el) => Number.parseFloat(getComputedStyle(el).fontSize));
  expect(size).toBeGreaterThanOrEqual(40);
  await expect(page.locator('#hl-next')).toBeFocused();
  await expect(page.getByTestId('recent-calls').locator('li').first()).toContainText(firstCode);
  await expectOneScreen(page);
  await page.screenshot({ path: testInfo.outputPath('hotline-tracking-code-1280x720.png') });

  // Esc: the next call starts on an empty form.
  await page.keyboard.press('Escape');
  await expect(page.locator('#hl-phone')).toBeFocused();
  await expect(page.locator('#hl-phone')).toHaveValue('');
  await expect(page.locator('#hl-description')).toHaveValue('');
  await expect(page.getByTestId('call-result')).toHaveCount(0);
});

test('a second call about the same point is added to the first ticket (+1)', async ({ page }, testInfo) => {
  await openHotline(page);
  await page.keyboard.type(NEIGHBOUR);
  await tabTo(page, '#hl-description');
  await page.keyboard.type(SAME_PROBLEM);
  await choosePoint(page, '锦绣家园', '锦绣家园小区');

  // The first ticket is a likely duplicate: same point, still open.
  const duplicate = page.getByTestId('duplicates').locator(`li[data-code="${firstCode}"]`);
  await expect(duplicate).toContainText('同一点位');
  await expect(duplicate).toContainText('已有1次来电');
  await expectOneScreen(page);
  await page.screenshot({ path: testInfo.outputPath('hotline-duplicate-1280x720.png') });

  await tabTo(page, `button[data-attach="${firstCode}"]`);
  await page.keyboard.press('Enter');
  await expect(page.locator('#hl-outcome-attach')).toBeChecked();
  await expect(page.locator('#hl-attach')).toHaveValue(firstCode);
  await expect(page.locator('#hl-submit')).toBeFocused();
  await expect(page.locator('#hl-submit')).toContainText(`追加到工单 ${firstCode}`);
  await page.keyboard.press('Control+Enter');

  const result = page.getByTestId('call-result');
  await expect(result).toContainText('已追加到工单');
  await expect(page.getByTestId('tracking-code')).toHaveText(firstCode);

  // Recorded on the first ticket: the API lists the call against it, once (no double submit).
  const operator = await staffApiAs('operator');
  try {
    const calls = await operator.query<Array<{ outcome: string; trackingCode: string | null }>>('staff.hotline.calls', {
      phone: NEIGHBOUR,
    });
    expect(calls).toEqual([expect.objectContaining({ outcome: 'attached', trackingCode: firstCode })]);
    const candidates = await operator.query<Array<{ trackingCode: string; calls: number }>>('staff.hotline.duplicates', {
      pointId: 'compound-jinxiu',
    });
    expect(candidates.find((c) => c.trackingCode === firstCode)?.calls).toBe(2);
  } finally {
    await operator.dispose();
  }
  await page.keyboard.press('Escape');
  await expect(page.locator('#hl-phone')).toBeFocused();
});

test('a consultation is recorded without a ticket', async ({ page }) => {
  await openHotline(page);
  // The first caller phones again: their history shows the ticket of the first call.
  await page.keyboard.type(FIRST_CALLER);
  await expect(page.getByTestId('caller-history')).toContainText(firstCode);
  await tabTo(page, '#hl-description');
  await page.keyboard.type(QUESTION);
  await page.keyboard.press('Alt+3');
  await expect(page.locator('#hl-outcome-answer')).toBeChecked();
  await expect(page.locator('#hl-answer')).toBeFocused();

  // Without the answer the form says so beside the field.
  await page.keyboard.press('Control+Enter');
  await expect(page.locator('#hl-answer-error')).toHaveText('请记录给来电人的答复');
  await expect(page.locator('#hl-answer')).toBeFocused();
  await page.keyboard.type(ANSWER);
  await page.keyboard.press('Control+Enter');

  const result = page.getByTestId('call-result');
  await expect(result).toContainText('咨询已登记');
  await expect(result).toContainText('不生成工单');
  await expect(page.getByTestId('tracking-code')).toHaveCount(0);
  await expect(page.getByTestId('recent-calls').locator('li').first()).toContainText('咨询已答复');

  const operator = await staffApiAs('operator');
  try {
    const calls = await operator.query<Array<{ outcome: string; trackingCode: string | null; summary: string }>>('staff.hotline.calls', {
      phone: FIRST_CALLER,
    });
    expect(calls[0]).toEqual(expect.objectContaining({ outcome: 'answered', trackingCode: null, summary: QUESTION }));
    // Still one ticket from this caller: the consultation made none.
    const history = await operator.query<{ tickets: Array<{ trackingCode: string }> }>('staff.hotline.history', { phone: FIRST_CALLER });
    expect(history.tickets.map((t) => t.trackingCode)).toEqual([firstCode]);
  } finally {
    await operator.dispose();
  }
});

test('after closure, a follow-up call recorded as "not fixed" reopens the ticket', async ({ page }, testInfo) => {
  await closeTicketThroughApi(firstCode, 'zhujian', '已清理3号楼楼道内的杂物，消防通道已畅通');

  await openHotline(page);
  // To 回访 through the navigation, backwards from the number box.
  for (let i = 0; i < 10 && !(await page.evaluate(() => document.activeElement?.getAttribute('href') === '/console/follow-ups')); i++) {
    await page.keyboard.press('Shift+Tab');
  }
  await expect(page.locator('a[href="/console/follow-ups"]')).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(/\/console\/follow-ups$/);
  await expect(page.getByRole('heading', { level: 1 })).toContainText('回访');
  await waitForIslands(page);

  const card = page.locator(`article[data-code="${firstCode}"]`);
  await expect(card).toContainText(FIRST_CALLER); // the number in full, for the operator to dial
  await expect(card).toContainText(PROBLEM);
  await expect(card).toContainText('已清理3号楼楼道内的杂物');
  const id = await card.getAttribute('data-followup');

  await tabTo(page, `#fu-${id}-reached-yes`);
  await page.keyboard.press('Space');
  await expect(page.locator(`#fu-${id}-reached-yes`)).toBeChecked();
  await page.keyboard.press('Tab');
  await expect(page.locator(`#fu-${id}-fixed-yes`)).toBeFocused();
  await page.keyboard.press('ArrowRight');
  await expect(page.locator(`#fu-${id}-fixed-no`)).toBeChecked();
  await page.keyboard.press('Tab');
  await expect(page.locator(`#fu-${id}-satisfaction-satisfied`)).toBeFocused();
  await page.keyboard.press('ArrowRight');
  await expect(page.locator(`#fu-${id}-satisfaction-fair`)).toBeChecked();
  await page.keyboard.press('Tab');
  await expect(page.locator(`#fu-${id}-comment`)).toBeFocused();
  await page.keyboard.type('来电人说楼道里还有两辆废旧自行车没有清走');
  await page.keyboard.press('Tab');
  await expect(card.getByRole('button', { name: '登记回访结果' })).toBeFocused();
  await page.screenshot({ path: testInfo.outputPath('follow-up-form-1280.png'), fullPage: true });
  await page.keyboard.press('Enter');

  const result = card.getByTestId('follow-up-result');
  await expect(result).toContainText('问题未解决');
  await expect(result).toContainText('工单已重新打开');
  await expect(card.getByTestId('follow-up-status')).toHaveText('重新办理中');
  await page.screenshot({ path: testInfo.outputPath('follow-ups-1280.png'), fullPage: true });

  const office = await staffApiAs('office');
  try {
    const ticket = await office.query<{ status: string; timeline: Array<{ action: string; reason: string | null }> }>('staff.tickets.get', {
      trackingCode: firstCode,
    });
    expect(ticket.status).toBe('reopened');
    expect(ticket.timeline.at(-1)).toEqual(expect.objectContaining({ action: 'reopen', reason: expect.stringContaining('问题未解决') }));
  } finally {
    await office.dispose();
  }
});

test('what the operator types before the screen’s script is ready is kept, the number’s leading 0 and all', async ({ page }, testInfo) => {
  const caller = '03195551234';
  const problem = '建设路商业街有商户把货架摆到了人行道上，行人只能走机动车道';
  await loginAs(page, 'operator');
  await waitForIslands(page);
  // The next load of the screen: its scripts arrive only when the test lets them.
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  await page.route(/\/_astro\/[^?]+\.js(\?.*)?$/, async (route) => {
    await held;
    await route.continue();
  });
  await page.goto('/console/hotline', { waitUntil: 'commit' });
  const island = page.locator('astro-island:has(#hl-phone)');
  await expect(island).toHaveAttribute('ssr', '');
  await expect(page.locator('#hl-phone')).toBeFocused();
  await page.keyboard.type(caller);
  await page.keyboard.press('Tab');
  await page.keyboard.type('赵女士');
  await tabTo(page, '#hl-description');
  await page.keyboard.type(problem);
  await expect(page.locator('#hl-phone')).toHaveValue(caller);
  await expect(island, 'all of it was typed before the script was ready').toHaveAttribute('ssr', '');
  // Enter in a box before then does not send the form as a plain page form.
  await expect(page.locator('#hl-submit')).toBeDisabled();

  release();
  await waitForIslands(page);
  await expect(page.locator('#hl-phone')).toHaveValue(caller);
  await expect(page.locator('#hl-name')).toHaveValue('赵女士');
  await expect(page.locator('#hl-description')).toHaveValue(problem);
  await expect(page.locator('#hl-description')).toBeFocused();
  // The screen works from what was typed: the caller's history and the router's suggestion.
  await expect(page.getByTestId('caller-history')).toContainText('这个号码以前没有来电');
  await expect(page.getByTestId('suggestion')).toContainText('建议：');
  await page.screenshot({ path: testInfo.outputPath('hotline-typed-before-ready-1280x720.png') });
  await expectNoAxeViolations(page, 'the hotline screen');

  await page.keyboard.press('Control+Enter');
  await expect(page.getByTestId('call-result')).toContainText('已生成工单');
  const code = ((await page.getByTestId('tracking-code').textContent()) ?? '').trim();
  await expect(page.getByTestId('recent-calls').locator('li').first()).toContainText(caller);
  const operator = await staffApiAs('operator');
  try {
    const history = await operator.query<{ phone: string; tickets: Array<{ trackingCode: string }> }>('staff.hotline.history', {
      phone: caller,
    });
    expect(history.phone).toBe(caller);
    expect(history.tickets.map((t) => t.trackingCode)).toEqual([code]);
    const calls = await operator.query<Array<{ callerPhone: string | null }>>('staff.hotline.calls', { phone: caller });
    expect(calls.map((c) => c.callerPhone)).toEqual([caller]);
    const ticket = await operator.query<{ reporter: { phone: string | null } | null }>('staff.tickets.get', { trackingCode: code });
    expect(ticket.reporter?.phone).toBe(caller);
  } finally {
    await operator.dispose();
  }
});

test('point search: 建设路 lists 建设路商业街 before the points only on that road, and nothing is chosen before ↓', async ({
  page,
}, testInfo) => {
  await openHotline(page);
  await tabTo(page, '#hl-point');
  await page.keyboard.type('建设路');
  const names = page.locator('#hl-point-list .option-name');
  await expect(names.first()).toHaveText('建设路商业街');
  const listed = await names.allTextContents();
  expect(listed.slice(0, 2)).toEqual(['建设路商业街', '中兴大街与建设路交叉口']);
  // 东关农贸市场 is only at 东关街与建设路交叉口: after every point named for the road.
  expect(listed.indexOf('临城县东关农贸市场')).toBeGreaterThan(1);
  await expect(page.locator('#hl-point')).not.toHaveAttribute('aria-activedescendant', /./);
  await expect(page.locator('#hl-point-list [aria-selected="true"]')).toHaveCount(0);
  await page.screenshot({ path: testInfo.outputPath('hotline-point-search-1280x720.png') });

  // Enter on a list with nothing highlighted chooses nothing; ↓ Enter chooses the best match.
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('point-chosen')).toHaveCount(0);
  await page.keyboard.press('ArrowDown');
  await expect(page.locator('#hl-point')).toHaveAttribute('aria-activedescendant', 'hl-point-option-0');
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('point-chosen')).toContainText('建设路商业街');
  await expect(page.locator('#hl-point')).toHaveValue('建设路商业街');

  // The open list, in both modes, passes axe.
  for (const mode of ['normal', 'elderly'] as const) {
    if (mode === 'elderly') {
      await page.goto('/elderly?on=1&next=/console/hotline');
      await expect(page.locator('html')).toHaveClass(/\belderly\b/);
      await waitForIslands(page);
    }
    await page.locator('#hl-point').fill('建设路');
    await expect(names.first()).toHaveText('建设路商业街');
    await expectNoAxeViolations(page, `the hotline screen with the point list open (${mode} mode)`);
  }
  await page.screenshot({ path: testInfo.outputPath('hotline-point-search-1280x720-elderly.png') });
});
