import { ok } from '@emporia/sdk';
import type { ConsoleContext } from './context';

/** A warehouse registered for the console's catalog and order tests (PUT is an upsert). */
export async function registerWarehouse(ctx: ConsoleContext, code: string, name: string) {
  await ok(
    ctx.operator.client.api.PUT('/v1/admin/warehouses/{code}', {
      params: { path: { code } },
      body: {
        name,
        country: 'CN',
        province: '浙江省',
        city: '杭州市',
        shippingCost: { amountMinor: 800, currency: 'CNY' },
      },
    }),
  );
}

/** Catalog screens: the category tree, products with SKUs, stock per warehouse, low stock. */
export function catalogTests(ctx: ConsoleContext): void {
  describe('catalog: categories, products and stock', () => {
    const s = () => ctx.platform.suffix;
    const root = () => `数码 ${s()}`;
    const child = () => `手机壳 ${s()}`;
    const title = () => `芳纶手机壳 ${s()}`;
    const code = () => `CASE-${s()}`.toUpperCase();

    it('creates a category and a child under it, shown in the tree', async () => {
      const { page, open, checkA11y } = await ctx.operatorPage();
      await open('类目');
      await page.getByRole('button', { name: '新建类目' }).click();
      const dialog = page.getByRole('dialog', { name: '新建类目' });
      await dialog.getByLabel('名称').fill(root());
      await dialog.getByLabel('标识（slug）').fill(`digital-${s()}`);
      await checkA11y('new category dialog');
      await dialog.getByRole('button', { name: '创建' }).click();
      await dialog.waitFor({ state: 'detached' });
      const tree = page.getByRole('treegrid', { name: '类目树' });
      await tree.getByRole('row').filter({ hasText: root() }).waitFor();
      // the new category is selected: its panel offers a subcategory
      await page.getByRole('heading', { level: 2, name: `所选类目：${root()}` }).waitFor();
      await page.getByRole('button', { name: '新建子类目' }).click();
      const sub = page.getByRole('dialog', { name: `在“${root()}”下新建子类目` });
      await sub.getByLabel('名称').fill(child());
      await sub.getByLabel('标识（slug）').fill(`cases-${s()}`);
      // a bad slug is refused by the gateway and shown in the dialog
      await sub.getByLabel('标识（slug）').fill(`Bad Slug ${s()}`);
      await sub.getByRole('button', { name: '创建' }).click();
      await sub.getByRole('alert').waitFor();
      await checkA11y('new subcategory dialog with an error');
      await sub.getByLabel('标识（slug）').fill(`cases-${s()}`);
      await sub.getByRole('button', { name: '创建' }).click();
      await sub.waitFor({ state: 'detached' });

      const childRow = tree.getByRole('row').filter({ hasText: child() });
      await childRow.waitFor();
      expect(await childRow.getAttribute('aria-level')).toBe('2');
      const rootRow = tree.getByRole('row').filter({ hasText: root() });
      expect(await rootRow.getAttribute('aria-expanded')).toBe('true');
      await page.getByRole('heading', { level: 2, name: `所选类目：${child()}` }).waitFor();
      await checkA11y('category tree');

      // the keyboard: Left collapses the parent, Right expands it again
      await rootRow.click();
      await page.keyboard.press('ArrowLeft');
      await childRow.waitFor({ state: 'detached' });
      expect(await rootRow.getAttribute('aria-expanded')).toBe('false');
      await page.keyboard.press('ArrowRight');
      await childRow.waitFor();

      // and through the API: the child is under the root
      const all = await ok(
        ctx.operator.client.api.GET('/v1/categories', {
          params: { query: { all: 'true', limit: 100 } },
        }),
      );
      const r = all.items.find((c) => c.name === root())!;
      expect(all.items.find((c) => c.name === child())).toMatchObject({
        parentId: r.id,
        depth: 1,
      });
    });

    it('creates a product with a SKU, adjusts its stock in a warehouse and shows the new figure', async () => {
      const { page, open, checkA11y, problems } = await ctx.operatorPage();
      await registerWarehouse(ctx, 'HZ-1', '杭州一号仓');
      await open('商品与 SKU');
      await page.getByRole('button', { name: '新建商品' }).click();
      const dialog = page.getByRole('dialog', { name: '新建商品' });
      await dialog.getByLabel('商品名称').fill(title());
      await dialog.getByLabel('品牌').fill('Emporia');
      await dialog.getByRole('button', { name: /类目/ }).click();
      await page.getByRole('option').filter({ hasText: child() }).click();
      await dialog.getByLabel('SKU 1 编码').fill(code());
      await dialog.getByLabel('SKU 1 售价').fill('129');
      await dialog.getByLabel('SKU 1 售价').press('Tab');
      await dialog.getByLabel('SKU 1 规格属性').fill('颜色=黑色');
      await checkA11y('new product dialog');
      await dialog.getByRole('button', { name: '创建商品' }).click();

      // the product's own screen
      await page.getByRole('heading', { level: 1, name: title() }).waitFor();
      const skus = page.getByRole('table', { name: '此商品的 SKU' });
      const skuRow = skus.getByRole('row').filter({ hasText: code() });
      await skuRow.waitFor();
      expect(await skuRow.textContent()).toContain('129.00');
      expect(await skuRow.textContent()).toContain('颜色=黑色');
      await checkA11y('product detail');

      const adjust = page.getByRole('form', { name: `调整 ${code()} 的库存` });
      await adjust.getByRole('button', { name: /仓库/ }).click();
      await page.getByRole('option', { name: 'HZ-1 · 杭州一号仓' }).click();
      await adjust.getByLabel('变动数量').fill('25');
      await adjust.getByLabel('原因').fill('入库');
      await adjust.getByRole('button', { name: '调整库存' }).click();
      const stock = page.getByRole('table', { name: `${code()} 各仓库存` });
      const hz = stock.getByRole('row').filter({ hasText: 'HZ-1' });
      await page.getByRole('status').filter({ hasText: '库存现为 25' }).waitFor();
      await expectText(hz, /25/);

      // taking 5 out shows 20, here and in the SKU's total
      await adjust.getByLabel('变动数量').fill('-5');
      await adjust.getByRole('button', { name: '调整库存' }).click();
      await page.getByRole('status').filter({ hasText: '库存现为 20' }).waitFor();
      await expectText(hz, /20/);
      await page.getByText('合计在库：20').waitFor();

      // a threshold above what is there: low, and on the low-stock list
      const limit = page.getByRole('form', { name: `设置 ${code()} 的低库存阈值` });
      await limit.getByRole('button', { name: /仓库/ }).click();
      await page.getByRole('option', { name: 'HZ-1 · 杭州一号仓' }).click();
      await limit.getByLabel('低库存阈值').fill('30');
      await limit.getByRole('button', { name: '设置阈值' }).click();
      await expectText(hz, /低库存/);
      await checkA11y('product detail after stock changes');
      await onAPhone(page, () => checkA11y('product detail on a phone'));

      await open('低库存');
      const low = page.getByRole('table', { name: '低库存 SKU（低库存时间最长的在前）' });
      await low.getByRole('link', { name: title() }).waitFor();
      await low.getByRole('link', { name: title() }).click();
      await page.getByRole('heading', { level: 1, name: title() }).waitFor();

      // the products list, filtered by the new category
      await open('商品与 SKU');
      await page.getByRole('button', { name: /类目/ }).click();
      await page.getByRole('option').filter({ hasText: child() }).click();
      await page
        .getByRole('table', { name: '商品列表' })
        .getByRole('link', { name: title() })
        .waitFor();
      expect(problems).toEqual([]);
    });
  });
}

/** On a 390 px wide screen: nothing wider than the page (tables scroll in their region). */
export async function onAPhone(
  page: import('playwright-core').Page,
  check: () => Promise<void>,
): Promise<void> {
  await page.setViewportSize({ width: 390, height: 800 });
  try {
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
    await check();
  } finally {
    await page.setViewportSize({ width: 1280, height: 720 });
  }
}

async function expectText(
  locator: import('playwright-core').Locator,
  pattern: RegExp,
): Promise<void> {
  const deadline = Date.now() + 10_000;
  let text = '';
  while (Date.now() < deadline) {
    text = (await locator.textContent()) ?? '';
    if (pattern.test(text)) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`expected ${pattern} in "${text}"`);
}
