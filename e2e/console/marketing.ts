import { ok, type EmporiaClient } from '@emporia/sdk';
import type { ConsoleContext } from './context';

/** The operator's bearer header for the platform's set-up helpers (a call first keeps it fresh). */
export async function operatorAuth(ctx: ConsoleContext): Promise<Record<string, string>> {
  await ok(ctx.operator.client.api.GET('/v1/me'));
  return { authorization: `Bearer ${ctx.operator.client.session.tokens!.accessToken}` };
}

/** A buyer's order of one `skuId` placed and paid through the API (`extra`: checkout's other fields). */
export async function placePaidOrder(
  client: EmporiaClient,
  skuId: string,
  quantity = 1,
  extra: { groupDealId?: string } = {},
) {
  await ok(
    client.api.PUT('/v1/cart/lines/{skuId}', { params: { path: { skuId } }, body: { quantity } }),
  );
  const order = await ok(
    client.api.POST('/v1/checkout', {
      body: {
        ...extra,
        address: {
          recipient: '韩梅梅',
          phone: '+8613800138000',
          country: 'CN',
          province: '浙江省',
          city: '杭州市',
          district: '西湖区',
          line1: '文三路 100 号',
        },
      },
    }),
  );
  const payment = await ok(
    client.api.POST('/v1/orders/{id}/payments', { params: { path: { id: order.id } }, body: {} }),
  );
  const paid = await ok(
    client.api.POST('/v1/payments/sandbox/pay/{paymentId}', {
      params: { path: { paymentId: payment.paymentId } },
      body: { succeed: true },
    }),
  );
  return { order, outcome: paid.outcome };
}

/** Marketing: the 满减 editor and its live price preview, flash sales with live remaining units. */
export function marketingTests(ctx: ConsoleContext): void {
  describe('marketing: promotions with the live preview, flash sales', () => {
    it('sets up 满300减50 in the editor, previews a sample cart as it is typed, adds 满500减100 and saves it', async () => {
      const { page, open, checkA11y, problems } = await ctx.operatorPage();
      await open('促销活动');
      await page.getByRole('link', { name: '新建促销' }).click();
      await page.getByRole('heading', { level: 1, name: '新建促销' }).waitFor();

      const name = `满300减50 ${ctx.platform.suffix}`;
      await page.getByLabel('名称', { exact: true }).fill(name);
      await page.getByLabel('第 1 档：满').fill('300');
      await page.getByLabel('第 1 档：减').fill('50');
      const preview = page.getByRole('region', { name: '价格预览' });
      const said = (text: string) =>
        preview.getByRole('status').filter({ hasText: text }).waitFor({ timeout: 10_000 });

      // the sample cart, priced by the platform while the operator types
      await preview.getByLabel('第 1 行单价').fill('320');
      await said('应付 ¥270.00，优惠 ¥50.00');
      await preview.getByText('¥320.00', { exact: true }).waitFor();
      await checkA11y('promotion editor with its preview');

      await preview.getByLabel('第 1 行单价').fill('280');
      await said('应付 ¥280.00，优惠 ¥0.00');
      await preview.getByText('未满足条件，无优惠').waitFor();

      // a second tier must be above the first: said at the field, and the preview waits
      await page.getByRole('button', { name: '添加一档' }).click();
      await page.getByLabel('第 2 档：满').fill('200');
      await page.getByLabel('第 2 档：减').fill('250');
      await page.getByText('门槛须高于上一档').waitFor();
      await page.getByText('减免金额不能超过本档门槛').waitFor();
      await preview.getByText('填写完整优惠设置（并修正标红的字段）后即可预览。').waitFor();
      expect(await page.getByLabel('第 2 档：满').getAttribute('aria-invalid')).toBe('true');
      await checkA11y('promotion editor with errors');

      await page.getByLabel('第 2 档：满').fill('500');
      await page.getByLabel('第 2 档：减').fill('100');
      expect(await page.getByText('门槛须高于上一档').count()).toBe(0);
      expect(await page.getByText('减免金额不能超过本档门槛').count()).toBe(0);
      await preview.getByLabel('第 1 行单价').fill('520');
      await said('应付 ¥420.00，优惠 ¥100.00');
      // two lines: 2 × ¥120.00 + ¥100.00 reaches the first tier only
      await preview.getByLabel('第 1 行单价').fill('120');
      await preview.getByLabel('第 1 行数量').fill('2');
      await preview.getByRole('button', { name: '添加商品行' }).click();
      await preview.getByLabel('第 2 行单价').fill('100');
      await said('应付 ¥290.00，优惠 ¥50.00');

      await page.getByRole('button', { name: '保存促销' }).click();
      await page.getByRole('heading', { level: 1, name: '促销活动' }).waitFor();
      await page.getByText(`已保存促销“${name}”`).waitFor();
      const row = page
        .getByRole('table', { name: '促销活动列表' })
        .getByRole('row')
        .filter({ hasText: name });
      await row.waitFor();
      expect(await row.textContent()).toContain('满¥300.00减¥50.00；满¥500.00减¥100.00');
      expect(await row.textContent()).toContain('进行中');
      await checkA11y('promotions with the new one');

      // it opens again in the editor as it was saved
      await row.getByRole('link').click();
      await page.getByRole('heading', { level: 1, name: '编辑促销' }).waitFor();
      expect(await page.getByLabel('第 2 档：减').inputValue()).toBe('¥100.00');
      await page.getByRole('link', { name: '返回促销列表' }).click();
      await page.getByRole('heading', { level: 1, name: '促销活动' }).waitFor();

      // a campaign, in its dialog
      await page.getByRole('button', { name: '新建活动' }).click();
      const dialog = page.getByRole('dialog', { name: '新建活动' });
      await dialog.getByRole('button', { name: '保存' }).click();
      await dialog.getByText('请填写此项').first().waitFor();
      await checkA11y('new campaign dialog with errors');
      await dialog.getByLabel('活动名称').fill(`双十一 ${ctx.platform.suffix}`);
      await dialog.getByLabel('开始时间').fill('2026-11-11T00:00');
      await dialog.getByLabel('结束时间').fill('2026-11-12T00:00');
      await dialog.getByRole('button', { name: '保存' }).click();
      await dialog.waitFor({ state: 'hidden' });
      await page
        .getByRole('table', { name: '营销活动' })
        .getByRole('row')
        .filter({ hasText: `双十一 ${ctx.platform.suffix}` })
        .waitFor();
      expect(problems).toEqual([]);
    });

    it("creates a flash sale and shows its remaining units going down after a buyer's attempt", async () => {
      const { page, open, checkA11y, problems } = await ctx.operatorPage();
      const skuId = await ctx.platform.stockedSku(await operatorAuth(ctx), { stock: 20 });
      await open('秒杀');
      await page.getByRole('button', { name: '新建秒杀' }).click();
      const dialog = page.getByRole('dialog', { name: '新建秒杀' });
      await dialog.getByRole('button', { name: '创建秒杀' }).click();
      await dialog.getByText('请填写此项').first().waitFor();
      await checkA11y('new flash sale dialog with errors');
      await dialog.getByLabel('SKU ID').fill(skuId);
      await dialog.getByLabel('秒杀价').fill('9.9');
      await dialog.getByLabel('秒杀库存').fill('5');
      await dialog.getByLabel('每人限购').fill('2');
      await dialog.getByRole('button', { name: '创建秒杀' }).click();
      await dialog.waitFor({ state: 'hidden' });

      const row = page.getByRole('row').filter({ hasText: skuId });
      await row.getByText('5 / 5').waitFor();
      expect(await row.textContent()).toContain('¥9.90');
      expect(await row.textContent()).toContain('进行中');
      await checkA11y('flash sales');
      const href = await row.getByRole('link').getAttribute('href');
      const saleId = href!.split('/').pop()!;

      // a buyer wins a unit through the API: the screen, polling, shows one fewer
      const buyer = await ctx.clientFor('customer');
      const won = await ok(
        buyer.client.api.POST('/v1/flash-sales/{id}/attempts', {
          params: { path: { id: saleId } },
          body: { quantity: 1 },
        }),
      );
      expect(won.result).toBe('WON');
      await row.getByText('4 / 5').waitFor({ timeout: 15_000 });
      // said politely, once it changed (not every poll)
      await page.getByRole('status').filter({ hasText: '剩余 4 件' }).waitFor({ timeout: 15_000 });

      await row.getByRole('link').click();
      await page.getByRole('heading', { level: 1, name: `秒杀 ${saleId.slice(0, 8)}` }).waitFor();
      await page.getByTestId('remaining').filter({ hasText: '4' }).waitFor();
      await checkA11y('flash sale detail');
      expect(problems).toEqual([]);
    });

    it('makes a coupon template of a coupon-only promotion and issues codes; makes a group deal', async () => {
      const { page, open, checkA11y, problems } = await ctx.operatorPage();
      // a promotion that applies only with a coupon, set up through the API
      const promotionId = crypto.randomUUID();
      const promotionName = `券 满100减10 ${ctx.platform.suffix}`;
      await ok(
        ctx.operator.client.api.PUT('/v1/admin/promotions/{id}', {
          params: { path: { id: promotionId } },
          body: {
            name: promotionName,
            scopeKind: 'CART',
            active: true,
            couponOnly: true,
            priority: 0,
            exclusive: false,
            action: {
              kind: 'TIERED_REDUCTION',
              tiers: [
                {
                  threshold: { amountMinor: 10000, currency: 'CNY' },
                  off: { amountMinor: 1000, currency: 'CNY' },
                },
              ],
            },
          },
        }),
      );
      await open('优惠券');
      await page.getByRole('button', { name: '新建优惠券模板' }).click();
      const create = page.getByRole('dialog', { name: '新建优惠券模板' });
      await create.getByRole('button', { name: '创建模板' }).click();
      await create.getByText('请填写此项').first().waitFor();
      await checkA11y('new coupon template dialog with errors');
      const templateName = `新人券 ${ctx.platform.suffix}`;
      await create.getByLabel('模板名称').fill(templateName);
      await create.getByLabel('对应促销').selectOption({ label: promotionName });
      await create.getByLabel('总发放上限').fill('100');
      await create.getByRole('button', { name: '创建模板' }).click();
      await create.waitFor({ state: 'hidden' });
      const row = page.getByRole('row').filter({ hasText: templateName });
      await row.getByText('0 / 100').waitFor();
      expect(await row.textContent()).toContain(promotionName);

      await row.getByRole('button', { name: `生成券码：${templateName}` }).click();
      const issue = page.getByRole('dialog', { name: `为“${templateName}”生成券码` });
      await issue.getByLabel('数量').fill('3');
      await issue.getByRole('button', { name: '生成' }).click();
      await issue.getByText('已生成 3 个券码', { exact: true }).waitFor();
      const codes = (await issue.getByLabel('券码').inputValue()).split('\n');
      expect(codes).toHaveLength(3);
      await checkA11y('issued codes dialog');
      await issue.getByRole('button', { name: '关闭' }).click();
      await row.getByText('3 / 100').waitFor();
      // a customer claims one of the codes
      const buyer = await ctx.clientFor('customer');
      const claimed = await ok(
        buyer.client.api.POST('/v1/me/coupons', { body: { code: codes[0] } }),
      );
      expect(claimed.status).toBe('CLAIMED');

      await open('拼团');
      const skuId = await ctx.platform.stockedSku(await operatorAuth(ctx));
      await page.getByRole('button', { name: '新建拼团' }).click();
      const dialog = page.getByRole('dialog', { name: '新建拼团' });
      await dialog.getByLabel('SKU ID').fill(skuId);
      await dialog.getByLabel('拼团价').fill('59');
      await checkA11y('new group deal dialog');
      await dialog.getByRole('button', { name: '创建拼团' }).click();
      await dialog.waitFor({ state: 'hidden' });
      await page.getByText('暂无进行中的团').waitFor();
      // a buyer opens a group (checkout with the deal) and pays: the group shows, 1 of 2 paid
      const dealId = (await page.getByTestId('deal-id').first().textContent())!;
      const opener = await ctx.clientFor('customer');
      const { order, outcome } = await placePaidOrder(opener.client, skuId, 1, {
        groupDealId: dealId,
      });
      expect(outcome).toBe('PAID');
      const groups = page.getByRole('table', { name: `拼团活动 ${dealId.slice(0, 8)} 的进行中团` });
      const group = groups.getByRole('row').filter({ hasText: order.groupId! });
      await group.getByText('1 / 2').waitFor({ timeout: 20_000 });
      expect(await group.textContent()).toContain('拼团中');
      await checkA11y('group deals with an open group');
      expect(problems).toEqual([]);
    });
  });
}
