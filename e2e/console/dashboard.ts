import { ok } from '@emporia/sdk';
import type { ConsoleContext } from './context';
import { operatorAuth, placePaidOrder } from './marketing';

const today = () =>
  new Intl.DateTimeFormat('en-CA', {
    timeZone: 'Asia/Shanghai',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(new Date());

/** The dashboard: today's and 30 days' figures, GMV per day as a chart with its data, the funnel. */
export function dashboardTests(ctx: ConsoleContext): void {
  describe('dashboard: figures, GMV per day, the funnel', () => {
    it('shows the figures as numbers after a paid order, and a chart with its text alternative and data', async () => {
      // a buyer places and pays an order through the API
      const skuId = await ctx.platform.stockedSku(await operatorAuth(ctx), { priceMinor: 12900 });
      const buyer = await ctx.clientFor('customer');
      const paid = await placePaidOrder(buyer.client, skuId, 2);
      expect(paid.outcome).toBe('PAID');
      // analytics counts it once its events arrive
      const day = today();
      const deadline = Date.now() + 60_000;
      for (;;) {
        const kpis = await ok(
          ctx.operator.client.api.GET('/v1/admin/analytics/kpis', {
            params: { query: { from: day, to: day, channel: 'all' } },
          }),
        );
        if ((kpis.total?.paidOrders ?? 0) >= 1) break;
        if (Date.now() > deadline) throw new Error('the paid order never reached the KPIs');
        await new Promise((r) => setTimeout(r, 1000));
      }

      const { page, open, checkA11y, problems } = await ctx.operatorPage();
      await open('概览');
      // the shared page may be on the dashboard already (since the sign-in tests): the menu
      // entry of the screen shown does not read it again (it does every 60 s), a reload does
      await page.reload();
      await page.getByRole('heading', { level: 1, name: '概览' }).waitFor();
      const todaySection = page.getByRole('region', { name: '今天' });
      await todaySection.getByText('已支付订单').waitFor();
      // the screen may show the figures it read before the order (the shared page opened it at
      // sign-in) while it reads them again
      let figures: string[] = [];
      for (const deadline = Date.now() + 15_000; Date.now() < deadline;) {
        figures = await todaySection.getByRole('definition').allTextContents();
        if (figures.length === 4 && Number(figures[1].replace(/,/g, '')) >= 1) break;
        await page.waitForTimeout(250);
      }
      expect(figures).toHaveLength(4);
      const [orders, paidOrders, gmv, aov] = figures;
      expect(Number(orders.replace(/,/g, ''))).toBeGreaterThanOrEqual(1);
      expect(Number(paidOrders.replace(/,/g, ''))).toBeGreaterThanOrEqual(1);
      expect(gmv).toMatch(/^¥[\d,]+\.\d\d$/);
      expect(gmv).not.toBe('¥0.00');
      expect(aov).toMatch(/^¥[\d,]+\.\d\d$/);
      const month = await page
        .getByRole('region', { name: '近 30 天' })
        .getByRole('definition')
        .allTextContents();
      expect(month).toHaveLength(4);
      expect(Number(month[1].replace(/,/g, ''))).toBeGreaterThanOrEqual(1);
      expect(await page.getByRole('alert').count()).toBe(0);

      // the chart: an image with a name and a description naming the figures
      const chart = page.getByRole('img', { name: '近 30 天每日成交额' });
      await chart.waitFor();
      const describedBy = await chart.getAttribute('aria-describedby');
      const description = await page.locator(`[id="${describedBy}"]`).textContent();
      expect(description).toMatch(/近 30 天每日成交额柱状图：合计 ¥[\d,]+\.\d\d/);
      // and the same figures in a table behind "show data"
      await page.getByText('显示数据').click();
      const table = page.getByRole('table', { name: '每日订单与成交额' });
      await table.waitFor();
      expect(await table.getByRole('row').count()).toBe(31);
      expect(await table.getByRole('row').last().textContent()).toContain(gmv);

      // what waits for an operator links to its screen; the funnel is a table
      await page.getByRole('link', { name: /^低库存 SKU：\d+/ }).waitFor();
      await page.getByRole('link', { name: /^待审核订单：\d+/ }).waitFor();
      await page
        .getByRole('table', { name: '转化漏斗（近 30 天）' })
        .getByText('完成支付')
        .waitFor();
      await checkA11y('dashboard with its data shown');
      expect(problems).toEqual([]);
    });
  });
}
