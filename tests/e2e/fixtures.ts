// The e2e test fixture: a test that prints a console error or throws in the page fails
// (DESIGN: "A test that prints a console error fails"). A test that expects an error status
// (a 404 page, a 400 re-render) declares the matching console line with `consoleErrors.allow`.
import { expect, test as base, type Page } from '@playwright/test';
import sharp from 'sharp';

export interface ConsoleGuard {
  allow(pattern: RegExp): void;
}

export const test = base.extend<{ consoleErrors: ConsoleGuard }>({
  consoleErrors: [
    async ({ context }, use) => {
      const errors: string[] = [];
      const allowed: RegExp[] = [];
      context.on('console', (message) => {
        if (message.type() !== 'error') return;
        const text = message.text();
        if (!allowed.some((pattern) => pattern.test(text))) errors.push(`console.error: ${text}`);
      });
      context.on('weberror', (error) => errors.push(`page error: ${error.error().message}`));
      await use({ allow: (pattern) => allowed.push(pattern) });
      expect(errors, 'the page printed console errors').toEqual([]);
    },
    { auto: true },
  ],
});

export { expect };

/** A small JPEG photo of a solid colour with a stripe, as a phone camera would send it. */
export async function jpegPhoto(colour: { r: number; g: number; b: number }, width = 640, height = 480): Promise<Buffer> {
  const stripe = await sharp({ create: { width, height: Math.round(height / 5), channels: 3, background: { r: 255, g: 255, b: 255 } } })
    .png()
    .toBuffer();
  return sharp({ create: { width, height, channels: 3, background: colour } })
    .composite([{ input: stripe, top: Math.round(height / 2), left: 0 }])
    .jpeg({ quality: 80 })
    .toBuffer();
}

/** Waits until the report form island has hydrated (Astro drops the `ssr` attribute then). */
export async function waitForIsland(page: Page): Promise<void> {
  await expect(page.locator('astro-island[ssr]')).toHaveCount(0);
  await expect(page.getByRole('button', { name: '添加照片' })).toBeVisible();
}

/** Presses Tab until the focused element matches `selector`; fails after `max` presses. */
export async function tabTo(page: Page, selector: string, max = 80): Promise<void> {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    if (await page.evaluate((sel) => document.activeElement?.matches(sel) ?? false, selector)) return;
  }
  throw new Error(`Tab never reached ${selector} within ${max} presses`);
}
