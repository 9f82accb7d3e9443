import { ok } from '@emporia/sdk';
import type { ConsoleContext } from './context';

/** Search administration: synonym sets, query statistics, a zero-downtime reindex. */
export function searchAdminTests(ctx: ConsoleContext): void {
  describe('search: synonyms, queries and reindex', () => {
    it('adds a synonym set and sees it listed, then deletes it after a confirmation', async () => {
      const { page, open, checkA11y, problems } = await ctx.operatorPage();
      const id = `cases-${ctx.platform.suffix}`;
      await open('同义词', '搜索同义词');
      await page.getByLabel('组 ID').fill(id);
      await page.getByLabel(/^同义词（每行一个/).fill('手机壳\n手机套\nphone case');
      await page.getByRole('button', { name: '创建' }).click();
      const sets = page.getByRole('region', { name: '同义词组' });
      const row = sets.getByRole('row').filter({ hasText: id });
      await row.waitFor();
      expect(await row.getByRole('list', { name: `${id} 的同义词` }).textContent()).toBe(
        '手机壳手机套phone case',
      );
      const stored = await ok(ctx.operator.client.api.GET('/v1/admin/search/synonyms'));
      expect(stored.items.find((s) => s.id === id)?.terms).toEqual([
        '手机壳',
        '手机套',
        'phone case',
      ]);
      await checkA11y('synonym sets');

      // a form with errors: one term is no set
      await page.getByLabel('组 ID').fill('Bad id');
      await page.getByLabel(/^同义词（每行一个/).fill('only one');
      await page.getByRole('button', { name: '创建' }).click();
      await page.getByText('需要 2–20 个不同的词').waitFor();
      await checkA11y('synonym form with errors');
      await page.getByLabel('组 ID').fill('');
      await page.getByLabel(/^同义词（每行一个/).fill('');

      await row.getByRole('button', { name: `删除 ${id}` }).click();
      const dialog = page.getByRole('dialog', { name: `删除同义词组 ${id}？` });
      await dialog.waitFor();
      await checkA11y('delete synonym set dialog');
      await dialog.getByRole('button', { name: '删除' }).click();
      await row.waitFor({ state: 'detached' });
      const after = await ok(ctx.operator.client.api.GET('/v1/admin/search/synonyms'));
      expect(after.items.map((s) => s.id)).not.toContain(id);
      expect(problems).toEqual([]);
    });

    it('shows top and zero-result queries, and runs a reindex to its end', async () => {
      const { page, open, checkA11y, problems } = await ctx.operatorPage();
      const nothing = `zzqx${ctx.platform.suffix}`;
      const res = await fetch(
        `${ctx.platform.gatewayUrl}/v1/search/products?q=${encodeURIComponent(nothing)}`,
      );
      expect(res.status).toBe(200);
      await open('搜索词', '搜索词分析');
      const zero = page.getByRole('region', { name: '无结果搜索词' });
      // the query log is written after the answer: look again until it is there
      for (
        let i = 0;
        i < 40 && (await zero.getByRole('cell', { name: nothing }).count()) === 0;
        i++
      ) {
        await new Promise((r) => setTimeout(r, 500));
        await page.getByRole('button', { name: '查询' }).click();
      }
      await zero.getByRole('cell', { name: nothing }).waitFor();
      await checkA11y('search queries');

      await open('重建索引', '重建搜索索引');
      await page.getByRole('button', { name: '开始重建索引' }).click();
      const state = page.getByRole('region', { name: '最近一次重建' }).getByRole('status');
      await state.getByText(/已完成|失败/).waitFor({ timeout: 120_000 });
      expect(await state.textContent()).toContain('已完成');
      await checkA11y('reindex finished');
      const latest = await ok(ctx.operator.client.api.GET('/v1/admin/search/reindex'));
      expect(latest.state).toBe('succeeded');
      expect(problems).toEqual([]);
    });
  });
}
