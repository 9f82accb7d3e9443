import { randomUUID } from 'node:crypto';
import { ok } from '@emporia/sdk';
import { carrierSignature } from '@emporia/testing';
import { onAPhone, registerWarehouse } from './catalog';
import { until, type ConsoleContext } from './context';

const ADDRESS = {
  recipient: '李雷',
  phone: '+8613800138000',
  country: 'CN',
  province: '浙江省',
  city: '杭州市',
  district: '西湖区',
  line1: '文三路 100 号',
};

/** Order screens: the review of a held order, shipping it, the search and returns screens. */
export function ordersTests(ctx: ConsoleContext): void {
  describe('orders: held for review, approved, paid and shipped', () => {
    // a rule that holds orders of ¥50,000 or more for review (switched off again at the end)
    const ruleId = randomUUID();
    const rule = {
      name: 'console e2e: large orders are reviewed',
      kind: 'AMOUNT' as const,
      appliesTo: 'ORDER' as const,
      action: 'REVIEW' as const,
      score: 60,
      active: true,
      amount: { amountMinor: 5_000_000, currency: 'CNY' as const },
    };
    let orderId = '';
    let customer: Awaited<ReturnType<ConsoleContext['clientFor']>>;

    afterAll(async () => {
      await ctx.operator.client.api.PUT('/v1/admin/risk/rules/{id}', {
        params: { path: { id: ruleId } },
        body: { ...rule, active: false },
      });
    });

    it('lists an order risk held, shows its reasons and approves it', async () => {
      const ops = ctx.operator.client.api;
      await ok(
        ops.PUT('/v1/admin/risk/rules/{id}', { params: { path: { id: ruleId } }, body: rule }),
      );
      await registerWarehouse(ctx, 'HZ-1', '杭州一号仓');
      const category = await ok(
        ops.POST('/v1/categories', {
          body: {
            name: `大件 ${ctx.platform.suffix}`,
            slug: `big-${ctx.platform.suffix}`,
            regulated: false,
          },
        }),
      );
      const product = await ok(
        ops.POST('/v1/products', {
          body: {
            title: `投影仪 ${ctx.platform.suffix}`,
            categoryId: category.id,
            status: 'active',
            skus: [
              {
                code: `PROJ-${ctx.platform.suffix}`,
                price: { amountMinor: 6_000_000, currency: 'CNY' },
              },
            ],
          },
        }),
      );
      const skuId = product.skus[0]!.id;
      await ok(
        ops.POST('/v1/skus/{skuId}/stock-adjustments', {
          params: { path: { skuId } },
          body: { warehouseCode: 'HZ-1', delta: 3, reason: 'inbound' },
        }),
      );
      await new Promise((r) => setTimeout(r, 1100)); // risk reads its rules once a second

      customer = await ctx.clientFor('customer');
      await ok(
        customer.client.api.PUT('/v1/cart/lines/{skuId}', {
          params: { path: { skuId } },
          body: { quantity: 1 },
        }),
      );
      const order = await ok(
        customer.client.api.POST('/v1/checkout', { body: { address: ADDRESS } }),
      );
      expect(order.status).toBe('PENDING_REVIEW');
      orderId = order.id;

      const { page, open, checkA11y } = await ctx.operatorPage();
      await open('待审核订单');
      const held = page.getByRole('table', { name: '待审核订单（最新的在前）' });
      const row = held.getByRole('row').filter({
        has: page.getByRole('link', { name: `打开订单 ${orderId}` }),
      });
      await row.waitFor();
      expect(await row.textContent()).toContain('金额超过阈值（LARGE_AMOUNT）');
      expect(await row.textContent()).toContain(`投影仪 ${ctx.platform.suffix} × 1`);
      await row.getByRole('link', { name: `打开订单 ${orderId}` }).click();

      await page.getByRole('heading', { level: 1, name: `订单 ${orderId.slice(0, 8)}` }).waitFor();
      const review = page.getByRole('region', { name: '人工审核' });
      await review.getByText('金额超过阈值（LARGE_AMOUNT）').waitFor();
      const risk = page.getByRole('table', { name: '此订单的风控决策记录' });
      await risk.getByRole('row').filter({ hasText: '人工审核' }).waitFor();
      expect(await risk.textContent()).toContain('LARGE_AMOUNT');
      await checkA11y('held order');

      // rejecting asks first: cancelled here, nothing happens
      await review.getByRole('button', { name: '拒绝订单' }).click();
      const confirm = page.getByRole('dialog', { name: '拒绝并取消此订单？' });
      await confirm.waitFor();
      await checkA11y('reject confirmation');
      await confirm.getByRole('button', { name: '取消' }).click();
      await confirm.waitFor({ state: 'detached' });

      await review.getByLabel('审核备注').fill('已电话核实');
      await review.getByRole('button', { name: '审核通过' }).click();
      await page.getByRole('status').filter({ hasText: '订单已审核通过' }).waitFor();
      await page.getByRole('region', { name: '概要' }).getByText('待付款').waitFor();
      expect(await page.getByRole('region', { name: '人工审核' }).count()).toBe(0);
    });

    it('ships the paid order from its screen', async () => {
      const { page, checkA11y, problems } = await ctx.operatorPage();
      // the customer pays through the sandbox provider
      const payment = await ok(
        customer.client.api.POST('/v1/orders/{id}/payments', {
          params: { path: { id: orderId } },
          body: {},
        }),
      );
      const paid = await ok(
        customer.client.api.POST('/v1/payments/sandbox/pay/{paymentId}', {
          params: { path: { paymentId: payment.paymentId } },
          body: { succeed: true },
        }),
      );
      expect(paid.outcome).toBe('PAID');

      await page.reload();
      await page.getByRole('heading', { level: 1, name: `订单 ${orderId.slice(0, 8)}` }).waitFor();
      const shipments = page.getByRole('table', { name: '此订单的包裹（每个发货仓一个）' });
      const ship = shipments.getByRole('button', { name: '发货（HZ-1）' });
      await ship.waitFor({ timeout: 20_000 });
      await checkA11y('paid order');
      await ship.click();
      const dialog = page.getByRole('dialog', { name: '发出 HZ-1 仓的包裹' });
      await dialog.getByLabel('运单号').fill(`SF${Date.now()}`);
      await checkA11y('ship dialog');
      await dialog.getByRole('button', { name: '确认发货' }).click();
      await dialog.waitFor({ state: 'detached' });
      await page.getByRole('status').filter({ hasText: '已发货' }).waitFor();
      await shipments
        .getByRole('row')
        .filter({ hasText: '顺丰速运' })
        .getByText('已发货')
        .waitFor();
      await page.getByRole('region', { name: '概要' }).getByText('已发货').waitFor();
      await checkA11y('shipped order');
      await onAPhone(page, () => checkA11y('order on a phone'));
      expect(problems).toEqual([]);
    });

    it("finds the order by its account, and its returns by the order's id", async () => {
      const { page, open, checkA11y, problems } = await ctx.operatorPage();
      await open('订单');
      await page.getByLabel('账号 ID').fill(customer.accountId);
      await page.getByRole('button', { name: '搜索' }).click();
      const list = page.getByRole('table', { name: '订单列表（最新的在前）' });
      await list.getByRole('link', { name: `打开订单 ${orderId}` }).waitFor();
      // the header and the one order (the table may render again meanwhile)
      await until('one order listed', async () => (await list.getByRole('row').count()) === 2);
      await checkA11y('orders of an account');

      await open('退货退款');
      await page.getByLabel('订单 ID').fill('not-an-id');
      await page.getByRole('button', { name: '搜索' }).click();
      await page.getByText('请输入完整的 ID（UUID 格式）').waitFor();
      await page.getByLabel('订单 ID').fill(orderId);
      await page.getByRole('button', { name: '搜索' }).click();
      await page
        .getByRole('table', { name: '此订单的退货申请' })
        .getByText('此订单没有退货申请')
        .waitFor();
      await checkA11y('returns of an order');
      expect(problems).toEqual([]);
    });

    it('receives a return with items other than those sold: disputed with the note, then rejected', async () => {
      const ops = ctx.operator.client.api;
      // the carrier reports the parcel delivered (a signed webhook, as a carrier sends it)
      const [shipment] = (
        await ok(ops.GET('/v1/admin/orders/{id}/shipments', { params: { path: { id: orderId } } }))
      ).items;
      const event = JSON.stringify({
        trackingNumber: shipment.trackingNumber,
        eventId: `console-${orderId}`,
        status: 'DELIVERED',
        occurredAt: new Date().toISOString(),
      });
      const delivered = await fetch(
        `${ctx.platform.gatewayUrl}/v1/shipments/tracking-events/${shipment.carrier}`,
        {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'emporia-signature': carrierSignature(shipment.carrier!, event),
          },
          body: event,
        },
      );
      expect(delivered.status).toBe(200);
      const order = await ok(
        ops.GET('/v1/admin/orders/{id}', { params: { path: { id: orderId } } }),
      );
      expect(order.status).toBe('DELIVERED');
      // the address's GB/T 2260 codes, from checkout (浙江省 杭州市 西湖区)
      expect(order.address).toMatchObject({
        provinceCode: '330000',
        cityCode: '330100',
        districtCode: '330106',
      });
      const requested = await ok(
        customer.client.api.POST('/v1/orders/{id}/returns', {
          params: { path: { id: orderId } },
          body: { lines: [{ skuId: order.lines[0].skuId, quantity: 1 }], reason: '不想要了' },
        }),
      );
      expect(requested).toMatchObject({ status: 'REQUESTED', itemsMismatch: false });

      // the page last showed this order's returns as none (the test before): a search reads
      // them again, whatever the cache holds
      const { page, open, checkA11y, problems } = await ctx.operatorPage();
      await open('退货退款');
      await page.getByLabel('订单 ID').fill(orderId);
      await page.getByRole('button', { name: '搜索' }).click();
      const returns = page.getByRole('table', { name: '此订单的退货申请' });
      const row = returns.getByRole('row').filter({ hasText: '不想要了' });
      await row.getByText('待审核').waitFor();
      // a requested refund may be refunded without the goods: offered, not taken here
      await row.getByRole('button', { name: '仅退款（不退货）' }).click();
      const refundOnly = page.getByRole('dialog', { name: '不退货，直接退款？' });
      await refundOnly.waitFor();
      await checkA11y('refund-only confirmation');
      await refundOnly.getByRole('button', { name: '取消' }).click();
      await refundOnly.waitFor({ state: 'detached' });

      await row.getByRole('button', { name: '同意退货' }).click();
      await page.getByRole('status').filter({ hasText: '已同意退货' }).waitFor();
      await row.getByText('已同意，待收货').waitFor();

      await row.getByRole('button', { name: '确认收货' }).click();
      const receive = page.getByRole('dialog', { name: '确认已收到退货？' });
      await receive.waitFor();
      await receive.getByLabel('收到的商品与售出的不符').check();
      const mark = receive.getByRole('button', { name: '标记为有争议' });
      expect(await mark.isDisabled()).toBe(true); // what was found first
      await receive.getByLabel('仓库发现的情况').fill('箱内是一块砖');
      await checkA11y('receive dialog with other items');
      await mark.click();
      await receive.waitFor({ state: 'detached' });
      await page.getByRole('status').filter({ hasText: '已标记为有争议，等待复核' }).waitFor();
      await row.getByText('有争议（退回商品不符）').waitFor();
      await row.getByText('退回商品不符', { exact: true }).waitFor();
      await row.getByText('箱内是一块砖').waitFor();
      const [disputed] = (
        await ok(ops.GET('/v1/admin/orders/{id}/returns', { params: { path: { id: orderId } } }))
      ).items;
      expect(disputed).toMatchObject({
        status: 'DISPUTED',
        itemsMismatch: true,
        note: '箱内是一块砖',
        restocked: false,
        refund: null,
      });
      await checkA11y('a disputed return');

      // reviewed again: rejected after a confirmation
      await row.getByRole('button', { name: '按正常收货处理' }).waitFor();
      await row.getByRole('button', { name: '拒绝退货' }).click();
      const reject = page.getByRole('dialog', { name: '拒绝此有争议的退货？' });
      await reject.getByRole('button', { name: '确认拒绝' }).click();
      await reject.waitFor({ state: 'detached' });
      await page.getByRole('status').filter({ hasText: '已拒绝退货' }).waitFor();
      await row.getByText('已拒绝').waitFor();
      const [rejected] = (
        await ok(ops.GET('/v1/admin/orders/{id}/returns', { params: { path: { id: orderId } } }))
      ).items;
      expect(rejected).toMatchObject({ status: 'REJECTED', itemsMismatch: true, refund: null });
      expect(problems).toEqual([]);
    });
  });
}
