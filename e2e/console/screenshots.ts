import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '@emporia/testing';
import type { ConsoleContext } from './context';

/**
 * The screenshots in docs/console, taken from the data the other parts' tests made, when
 * EMPORIA_CONSOLE_SCREENSHOTS=1 (`EMPORIA_CONSOLE_SCREENSHOTS=1 npm test -- e2e/console.int-spec.ts`).
 */
export function screenshotTests(ctx: ConsoleContext): void {
  // not a test: nothing is registered unless asked for
  if (process.env.EMPORIA_CONSOLE_SCREENSHOTS !== '1') return;
  describe('screenshots for docs/console', () => {
    it('takes the main screens', async () => {
      const dir = join(REPO_ROOT, 'docs', 'console');
      mkdirSync(dir, { recursive: true });
      const { page } = await ctx.operatorPage();
      await page.setViewportSize({ width: 1280, height: 860 });
      const base = `${ctx.platform.gatewayUrl}/admin`;
      const shot = async (path: string, file: string) => {
        await page.goto(`${base}${path}`);
        await page.getByRole('heading', { level: 1 }).waitFor();
        await page.waitForLoadState('networkidle');
        await page.screenshot({ path: join(dir, file) });
      };
      await shot('/', 'dashboard.png');
      await shot('/catalog/categories', 'categories.png');
      await shot('/orders', 'orders.png');
      await shot('/marketing/flash-sales', 'flash-sales.png');
      await shot('/risk/decisions', 'risk-decisions.png');

      // the editor of the 满300减50 / 满500减100 promotion the marketing part saved, with a
      // sample cart of ¥520.00 in its preview
      await page.goto(`${base}/marketing/promotions`);
      await page
        .getByRole('link', { name: /满300减50/ })
        .first()
        .click();
      await page.getByRole('heading', { level: 1 }).waitFor();
      const preview = page.getByRole('region', { name: '价格预览' });
      await preview.getByLabel('第 1 行单价').fill('520');
      await preview.getByLabel('第 1 行数量').fill('1');
      await page.waitForLoadState('networkidle');
      await page.waitForTimeout(800);
      await page.screenshot({ path: join(dir, 'promotion-editor.png'), fullPage: true });

      await page.getByLabel('语言').selectOption('en');
      await shot('/', 'dashboard-en.png');
      await page.getByLabel('Language').selectOption('zh-CN');
    });
  });
}
