import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { ok, type EmporiaClient } from '@emporia/sdk';
import { until, type ConsoleContext } from './context';

/** The operator's bearer header (a fresh token) for the platform's raw helpers. */
async function operatorAuth(ctx: ConsoleContext): Promise<Record<string, string>> {
  const tokens = await ctx.operator.client.refresh();
  return { authorization: `Bearer ${tokens.accessToken}` };
}

/** A customer's order of one unit of `skuId`, placed through the API (README "Shopping"). */
async function placeOrder(customer: EmporiaClient, skuId: string) {
  await ok(
    customer.api.PUT('/v1/cart/lines/{skuId}', {
      params: { path: { skuId } },
      body: { quantity: 1 },
    }),
  );
  return ok(
    customer.api.POST('/v1/checkout', {
      body: {
        address: {
          recipient: '李雷',
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
}

/** Risk: rules as data, blacklists, the decision audit trail and the review queue. */
export function riskTests(ctx: ConsoleContext): void {
  describe('risk: rules, lists, decisions and the review queue', () => {
    it('adds an IP to the blacklist and removes it, each seen in the list', async () => {
      const { page, open, checkA11y } = await ctx.operatorPage();
      const ip = `198.51.100.${1 + Math.floor(Math.random() * 250)}`;
      await open('名单', '黑名单');
      await page.getByRole('tab', { name: 'IP 地址' }).click();
      await page.getByLabel(/^IP 地址（每行一个/).fill(`${ip}\n`);
      await page.getByLabel('原因', { exact: true }).fill('card testing');
      await page.getByRole('button', { name: '添加 1 条' }).click();
      const entries = page.getByRole('region', { name: 'IP 地址名单条目' });
      const row = entries.getByRole('row').filter({ hasText: ip });
      await row.waitFor();
      expect(await row.textContent()).toContain('card testing');
      await checkA11y('IP list with an entry');
      const listed = await ok(
        ctx.operator.client.api.GET('/v1/admin/risk/lists/{kind}/export', {
          params: { path: { kind: 'IP' } },
        }),
      );
      expect(listed.entries.map((e) => e.value)).toContain(ip);
      // the export is offered as a download of the list as the API gives it
      const [download] = await Promise.all([
        page.waitForEvent('download'),
        page.getByRole('button', { name: '导出IP 地址名单（JSON）' }).click(),
      ]);
      expect(download.suggestedFilename()).toBe('risk-list-ip.json');
      const exported = JSON.parse(readFileSync(await download.path(), 'utf8')) as {
        kind: string;
        entries: { value: string; reason: string }[];
      };
      expect(exported.kind).toBe('IP');
      expect(exported.entries).toContainEqual(
        expect.objectContaining({ value: ip, reason: 'card testing' }),
      );

      await row.getByRole('button', { name: `移除 ${ip}` }).click();
      const dialog = page.getByRole('dialog', { name: '从IP 地址名单移除？' });
      await dialog.waitFor();
      await checkA11y('remove-entry dialog');
      await dialog.getByRole('button', { name: '移除' }).click();
      await dialog.waitFor({ state: 'detached' });
      await row.waitFor({ state: 'detached' });
      const after = await ok(
        ctx.operator.client.api.GET('/v1/admin/risk/lists/{kind}/export', {
          params: { path: { kind: 'IP' } },
        }),
      );
      expect(after.entries.map((e) => e.value)).not.toContain(ip);
    });

    it('turns a rule on and edits it; an order it holds is in the review queue, its decision shows its signals', async () => {
      const { page, open, checkA11y, problems } = await ctx.operatorPage();
      // a rule of this test only, off: large orders (¥90,000 and up) go to review
      const ruleId = randomUUID();
      const name = `大额订单审核 ${ctx.platform.suffix}`;
      const rule = {
        name,
        kind: 'AMOUNT' as const,
        appliesTo: 'ORDER' as const,
        action: 'REVIEW' as const,
        score: 50,
        active: false,
        amount: { amountMinor: 9_000_000, currency: 'CNY' as const },
      };
      await ok(
        ctx.operator.client.api.PUT('/v1/admin/risk/rules/{id}', {
          params: { path: { id: ruleId } },
          body: rule,
        }),
      );
      try {
        await open('规则', '风控规则');
        const row = page.getByRole('row').filter({ hasText: name });
        await row.getByRole('button', { name: `启用规则“${name}”` }).click();
        await row.getByRole('button', { name: `停用规则“${name}”` }).waitFor();
        await row.getByRole('button', { name: `编辑规则“${name}”` }).click();
        const dialog = page.getByRole('dialog', { name: `编辑规则“${name}”` });
        await dialog.waitFor();
        await checkA11y('rule editor');
        await dialog.getByLabel('分数').fill('60');
        await dialog.getByLabel('分数').blur();
        await dialog.getByRole('button', { name: '保存' }).click();
        await dialog.waitFor({ state: 'detached' });
        await row.getByRole('cell', { name: '60', exact: true }).waitFor();
        const saved = await ok(ctx.operator.client.api.GET('/v1/admin/risk/rules'));
        expect(saved.items.find((r) => r.id === ruleId)).toMatchObject({
          active: true,
          score: 60,
          amount: { amountMinor: 9_000_000, currency: 'CNY' },
        });

        // a rule change is in force within a second
        await new Promise((r) => setTimeout(r, 1500));
        const skuId = await ctx.platform.stockedSku(await operatorAuth(ctx), {
          priceMinor: 9_500_000,
          title: 'Jade carving',
        });
        const customer = await ctx.clientFor('customer');
        const order = await placeOrder(customer.client, skuId);
        expect(order.status).toBe('PENDING_REVIEW');

        await open('决策与审核', '风控决策与审核');
        const queue = page.getByRole('region', { name: '审核队列' });
        const link = queue.getByRole('link', { name: `审核订单 ${order.id.slice(0, 8)}…` });
        await link.waitFor();
        expect(await link.getAttribute('href')).toBe(`/admin/orders/${order.id}`);
        const held = queue
          .getByRole('row')
          .filter({ hasText: `审核订单 ${order.id.slice(0, 8)}…` });
        expect(await held.textContent()).toMatch(/LARGE_AMOUNT/);
        expect(await held.getByRole('cell', { name: '60', exact: true }).count()).toBe(1);

        await page.getByLabel('订单 ID').fill(order.id);
        await page.getByRole('button', { name: '搜索' }).click();
        // the filtered trail replaces the whole trail once the address carries the filter
        await page.waitForURL((url) => url.searchParams.get('orderId') === order.id);
        const trail = page.getByRole('region', { name: '决策记录' });
        const decision = trail
          .getByRole('row')
          .filter({ hasText: order.id })
          .filter({ hasText: 'LARGE_AMOUNT' });
        await decision.waitFor();
        expect(await decision.textContent()).toContain('人工审核');
        // the header and this order's decision (the table may render again meanwhile)
        await until(
          'one decision listed',
          async () => (await trail.getByRole('row').count()) === 2,
        );
        await decision.getByText('查看信号').click();
        await decision.getByText('检查的值').waitFor();
        // the values the rules saw: the customer's account among them
        await decision.getByText(customer.accountId).waitFor();
        await checkA11y('a decision with its signals');
        // on a phone: the page does not scroll sideways (the tables scroll in their regions)
        await page.setViewportSize({ width: 390, height: 800 });
        expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(
          390,
        );
        await checkA11y('decisions on a small screen');
        await page.setViewportSize({ width: 1280, height: 720 });
        expect(new URL(page.url()).searchParams.get('orderId')).toBe(order.id);
      } finally {
        await ok(
          ctx.operator.client.api.PUT('/v1/admin/risk/rules/{id}', {
            params: { path: { id: ruleId } },
            body: { ...rule, active: false },
          }),
        );
      }
      expect(problems).toEqual([]);
    });

    it('edits a return-abuse rule (return rate, minimum sample) and creates one on other items returned', async () => {
      const { page, open, checkA11y, problems } = await ctx.operatorPage();
      const ruleId = randomUUID();
      const name = `退货率过高 ${ctx.platform.suffix}`;
      const rule = {
        name,
        kind: 'RETURN_ABUSE' as const,
        appliesTo: 'ORDER' as const,
        action: 'REVIEW' as const,
        score: 40,
        active: false,
        dimension: 'RETURN_RATE' as const,
        windowSeconds: 90 * 86_400,
        threshold: 60,
        minSample: 5,
      };
      await ok(
        ctx.operator.client.api.PUT('/v1/admin/risk/rules/{id}', {
          params: { path: { id: ruleId } },
          body: rule,
        }),
      );
      const created = `退回非原商品 ${ctx.platform.suffix}`;
      await open('规则', '风控规则');
      const row = page.getByRole('row').filter({ hasText: name });
      await row.getByText('维度：退货率').waitFor();
      expect(await row.textContent()).toContain('阈值：60%');
      expect(await row.textContent()).toContain('最小样本：5 行');
      expect(await row.textContent()).toContain('退货滥用');

      await row.getByRole('button', { name: `编辑规则“${name}”` }).click();
      const dialog = page.getByRole('dialog', { name: `编辑规则“${name}”` });
      await dialog.waitFor();
      await checkA11y('return-abuse rule editor');
      await dialog.getByLabel('阈值（退货率 %）').fill('50');
      await dialog.getByLabel('最小样本（签收商品行数）').fill('8');
      await dialog.getByLabel('最小样本（签收商品行数）').blur();
      await dialog.getByRole('button', { name: '保存' }).click();
      await dialog.waitFor({ state: 'detached' });
      await row.getByText('最小样本：8 行').waitFor();
      const saved = await ok(ctx.operator.client.api.GET('/v1/admin/risk/rules'));
      expect(saved.items.find((r) => r.id === ruleId)).toMatchObject({
        kind: 'RETURN_ABUSE',
        dimension: 'RETURN_RATE',
        windowSeconds: 90 * 86_400,
        threshold: 50,
        minSample: 8,
        active: false,
      });

      // a new rule: a count of returns with other items, no minimum sample; created off
      await page.getByRole('button', { name: '新建规则' }).click();
      const create = page.getByRole('dialog', { name: '新建规则' });
      await create.waitFor();
      await create.getByLabel('名称').fill(created);
      await create.getByRole('button', { name: /统计内容/ }).click();
      await page.getByRole('option', { name: '退回非原商品次数' }).click();
      expect(await create.getByLabel('最小样本（签收商品行数）').count()).toBe(0);
      await create.getByLabel('时间窗口（秒）').fill('31536000');
      await create.getByLabel('阈值（次数）').fill('1');
      await create.getByLabel('阈值（次数）').blur();
      await checkA11y('new rule dialog');
      await create.getByRole('button', { name: '创建规则' }).click();
      await create.waitFor({ state: 'detached' });
      const createdRow = page.getByRole('row').filter({ hasText: created });
      await createdRow.getByText('维度：退回非原商品次数').waitFor();
      const rules = await ok(ctx.operator.client.api.GET('/v1/admin/risk/rules'));
      expect(rules.items.find((r) => r.name === created)).toMatchObject({
        kind: 'RETURN_ABUSE',
        appliesTo: 'ORDER',
        dimension: 'ITEMS_MISMATCH',
        windowSeconds: 31_536_000,
        threshold: 1,
        minSample: null,
        active: false,
      });
      expect(problems).toEqual([]);
    });
  });
}
