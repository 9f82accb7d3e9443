import { ok } from '@emporia/sdk';
import type { ConsoleContext } from './context';

/** Accounts: finding one by its e-mail, freezing and unfreezing it, roles for admins only. */
export function accountsTests(ctx: ConsoleContext): void {
  describe('accounts: find, freeze, unfreeze, roles', () => {
    it('finds an account by its e-mail, freezes it after a confirmation and unfreezes it', async () => {
      const { page, open, checkA11y, problems } = await ctx.operatorPage();
      const target = await ctx.clientFor('customer');
      await open('账号', '账号');
      await page.getByLabel('邮箱、手机号或账号 ID').fill(target.email);
      await page.getByRole('button', { name: '搜索' }).click();
      const details = page.getByRole('region', { name: '账号信息' });
      await details.getByText(target.email).waitFor();
      await details.getByText(target.accountId).waitFor();
      await details.getByText('正常', { exact: true }).waitFor();
      // roles are an admin's: an operator does not see the editor
      expect(await page.getByRole('heading', { name: '角色（仅管理员）' }).count()).toBe(0);
      await checkA11y('an account');

      await page.getByRole('button', { name: '冻结账号' }).click();
      const dialog = page.getByRole('dialog', { name: `冻结 ${target.email}？` });
      await dialog.waitFor();
      const confirm = dialog.getByRole('button', { name: '冻结账号' });
      expect(await confirm.isDisabled()).toBe(true); // a reason first
      await dialog.getByLabel(/^冻结原因/).fill('chargeback fraud, ticket 4711');
      await checkA11y('freeze dialog');
      // every dialog title the page shows from here on, however briefly (a string: the page's
      // own JavaScript, not this file's types)
      await page.evaluate(`(() => {
        const seen = (window.dialogTitles = []);
        new MutationObserver(() => {
          for (const h of document.querySelectorAll('[role="dialog"] h2'))
            if (h.textContent && seen.at(-1) !== h.textContent) seen.push(h.textContent);
        }).observe(document.body, { subtree: true, childList: true, characterData: true });
      })()`);
      await confirm.click();
      await page.getByRole('dialog').waitFor({ state: 'detached' });
      // the freeze dialog closed as the freeze dialog: it never turned into the unfreeze one
      // (the same component reused when the account reloaded as frozen: "unfreeze", disabled)
      const titles = (await page.evaluate('window.dialogTitles')) as string[];
      expect(titles.filter((x) => !x.startsWith('冻结'))).toEqual([]);
      await details.getByText('已冻结', { exact: true }).waitFor();
      const frozen = await ok(
        ctx.operator.client.api.GET('/v1/admin/accounts/{id}', {
          params: { path: { id: target.accountId } },
        }),
      );
      expect(frozen.account.status).toBe('frozen');
      // frozen: its sessions ended
      await expect(target.client.api.GET('/v1/me')).rejects.toMatchObject({ status: 401 });

      await page.getByRole('button', { name: '解冻账号' }).click();
      const unfreeze = page.getByRole('dialog', { name: `解冻 ${target.email}？` });
      await unfreeze.waitFor();
      await checkA11y('unfreeze dialog');
      await unfreeze.getByRole('button', { name: '解冻账号' }).click();
      await page.getByRole('dialog').waitFor({ state: 'detached' });
      await details.getByText('正常', { exact: true }).waitFor();
      const active = await ok(
        ctx.operator.client.api.GET('/v1/admin/accounts/{id}', {
          params: { path: { id: target.accountId } },
        }),
      );
      expect(active.account.status).toBe('active');
      expect(problems).toEqual([]);
    });

    it('says plainly that an operator cannot freeze their own account', async () => {
      const { page, checkA11y, problems } = await ctx.operatorPage();
      await page.getByLabel('邮箱、手机号或账号 ID').fill(ctx.operator.email);
      await page.getByRole('button', { name: '搜索' }).click();
      await page.getByText('你自己的账号').waitFor();
      await page.getByRole('button', { name: '冻结账号' }).click();
      const dialog = page.getByRole('dialog');
      await dialog.getByLabel(/^冻结原因/).fill('trying');
      await dialog.getByRole('button', { name: '冻结账号' }).click();
      const alert = dialog.getByRole('alert');
      await alert.getByText('不能冻结、解冻或修改自己的账号，请让另一位同事操作。').waitFor();
      expect(await alert.textContent()).toContain('CANNOT_CHANGE_OWN_ACCOUNT');
      await checkA11y('freeze refused');
      await dialog.getByRole('button', { name: '取消' }).click();
      await dialog.waitFor({ state: 'detached' });

      // the tier table, from the accounts screen
      await page.getByRole('link', { name: '会员等级' }).click();
      await page.getByRole('heading', { level: 1, name: '会员等级' }).waitFor();
      const tiers = await ok(ctx.operator.client.api.GET('/v1/admin/tiers'));
      const now = page.getByRole('region', { name: '当前等级' });
      for (const tier of tiers.items)
        await now.getByRole('cell', { name: tier.code }).first().waitFor();
      await checkA11y('membership tiers');
      expect(problems).toEqual([]);
    });

    it("lets an admin change another account's roles", async () => {
      const target = await ctx.clientFor('customer');
      const admin = await ctx.pageFor('customer,admin');
      await admin.signIn();
      await admin.page.getByRole('navigation').waitFor();
      await admin.open('Accounts', 'Accounts');
      await admin.page.getByLabel('E-mail, phone or account id').fill(target.email);
      await admin.page.getByRole('button', { name: 'Search' }).click();
      const roles = admin.page.getByRole('region', { name: 'Roles (admins only)' });
      await roles.waitFor();
      await roles.getByLabel('Agent').check();
      await admin.checkA11y('roles editor');
      await roles.getByRole('button', { name: 'Save roles' }).click();
      await admin.page.getByRole('status').getByText('Roles saved').waitFor();
      const after = await ok(
        ctx.operator.client.api.GET('/v1/admin/accounts/{id}', {
          params: { path: { id: target.accountId } },
        }),
      );
      expect([...after.account.roles].sort()).toEqual(['agent', 'customer']);
      expect(admin.problems).toEqual([]);
      await admin.page.close();
    });
  });
}
