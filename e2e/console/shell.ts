import { expectAccessible, newPage } from '@emporia/testing';
import { submitSignIn, type ConsoleContext } from './context';

/** The console's frame: sign-in with MFA, menus by role, languages, keyboard, small screens, headers. */
export function shellTests(ctx: ConsoleContext): void {
  describe('sign-in, menus by role, languages', () => {
    it('signs an operator in with the second factor; a wrong password is announced, not a crash', async () => {
      const page = await newPage(ctx.browser, { locale: 'zh-CN' });
      await page.goto(`${ctx.platform.gatewayUrl}/admin/`);
      await page.getByRole('heading', { level: 1, name: '登录' }).waitFor();
      expect(await page.getAttribute('html', 'lang')).toBe('zh-CN');
      await expectAccessible(page, 'sign-in');

      await page.getByLabel('邮箱或手机号').fill(ctx.operator.email);
      await page.getByLabel(/^密码/).fill('not the password at all');
      await page.getByRole('button', { name: '登录' }).click();
      const alert = page.getByRole('alert');
      await alert.waitFor();
      expect(await alert.textContent()).toContain('INVALID_CREDENTIALS');
      await expectAccessible(page, 'sign-in with an error');

      await submitSignIn(page, ctx.operator.email);
      await page.getByRole('heading', { level: 1, name: '两步验证' }).waitFor();
      await expectAccessible(page, 'second factor');
      await page.getByLabel(/验证码/).fill('000000');
      await page.getByRole('button', { name: '验证' }).click();
      await page
        .getByRole('alert')
        .filter({ hasText: /CODE|INVALID/ })
        .waitFor();
      await page.close();

      const { page: signedIn, problems } = await ctx.operatorPage();
      await signedIn.getByRole('navigation', { name: '主导航' }).waitFor();
      for (const entry of ['类目', '促销活动', '规则', '同义词', '账号', '客服工单'])
        expect(await signedIn.getByRole('link', { name: entry, exact: true }).count()).toBe(1);
      await expectAccessible(signedIn, 'dashboard');
      expect(problems).toEqual([]);
    });

    it('switches to English and back; the language is kept and set on the page', async () => {
      const { page } = await ctx.operatorPage();
      await page.getByLabel('语言').selectOption('en');
      await page.getByRole('navigation', { name: 'Main' }).waitFor();
      expect(await page.getAttribute('html', 'lang')).toBe('en');
      await page.reload();
      await page.getByRole('link', { name: 'Categories', exact: true }).waitFor();
      await page.getByLabel('Language').selectOption('zh-CN');
      await page.getByRole('link', { name: '类目', exact: true }).waitFor();
      expect(await page.getAttribute('html', 'lang')).toBe('zh-CN');
    });

    it('shows an agent only the support desk, and a customer no console at all', async () => {
      const agent = await ctx.pageFor('customer,agent');
      await agent.signIn();
      await agent.page.getByRole('navigation').waitFor();
      const links = await agent.page.getByRole('navigation').getByRole('link').allTextContents();
      expect(links).toEqual(['Support tickets']);
      // an operator's screen by its address: refused on the screen (and by the gateway)
      await agent.page.goto(`${ctx.platform.gatewayUrl}/admin/catalog/categories`);
      await agent.page
        .getByRole('heading', { level: 1, name: 'Your role may not open this page.' })
        .waitFor();
      await expectAccessible(agent.page, 'refused screen');
      await agent.page.close();

      const customer = await ctx.pageFor('customer');
      await customer.signIn();
      await customer.page.getByText(/may not use the console/).waitFor();
      expect(await customer.page.getByRole('navigation').count()).toBe(0);
      await expectAccessible(customer.page, 'no access');
      await customer.page.getByRole('button', { name: 'Sign out' }).click();
      await customer.page.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor();
      await customer.page.close();
    });

    it('keeps the session across a reload and a deep link, and ends it on sign-out', async () => {
      const account = await ctx.pageFor('customer,operator');
      const { page } = account;
      await account.signIn();
      await page.getByRole('navigation').waitFor();
      await page.goto(`${ctx.platform.gatewayUrl}/admin/risk/rules`);
      await page.getByRole('navigation').waitFor();
      expect(
        await page.getByRole('link', { name: 'Rules', exact: true }).getAttribute('aria-current'),
      ).toBe('page');
      const stored = JSON.parse(
        (await page.evaluate('sessionStorage.getItem("emporia.console.session")')) as string,
      ) as { tokens: { refreshToken: string } };
      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor();
      expect(await page.evaluate('sessionStorage.getItem("emporia.console.session")')).toBeNull();
      // the session was ended on the server: its refresh token refreshes nothing
      const refresh = await fetch(`${ctx.platform.gatewayUrl}/v1/auth/refresh`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ refreshToken: stored.tokens.refreshToken }),
      });
      expect(refresh.status).toBe(401);
      await page.close();
    });

    it('works from the keyboard and on a small screen', async () => {
      const account = await ctx.pageFor('customer,operator');
      const { page } = account;
      await account.signIn();
      await page.getByRole('navigation').waitFor();
      await page.setViewportSize({ width: 390, height: 800 });
      // the skip link is the page's first stop, shown when focused
      const skip = page.getByRole('link', { name: 'Skip to main content' });
      expect(
        await skip.evaluate(
          (el) =>
            el ===
            el.ownerDocument.querySelector(
              'a[href], button, input, select, textarea, [tabindex]:not([tabindex="-1"])',
            ),
        ),
      ).toBe(true);
      await skip.focus();
      expect(await skip.isVisible()).toBe(true);
      await page.keyboard.press('Enter');
      expect(await page.evaluate('document.activeElement?.id')).toBe('main');
      // the menu is behind its button on a phone
      const menu = page.getByRole('button', { name: 'Menu' });
      expect(await menu.getAttribute('aria-expanded')).toBe('false');
      expect(await page.getByRole('navigation').isVisible()).toBe(false);
      await menu.click();
      expect(await menu.getAttribute('aria-expanded')).toBe('true');
      await page.getByRole('link', { name: 'Synonyms', exact: true }).click();
      // a new screen puts the focus on its heading, so a screen reader says where the user is
      const heading = page.getByRole('heading', { level: 1 });
      await heading.waitFor();
      expect(await heading.evaluate((el) => el === el.ownerDocument.activeElement)).toBe(true);
      expect(await page.getByRole('navigation').isVisible()).toBe(false);
      await expectAccessible(page, 'small screen');
      await page.close();
    });
  });

  describe('served by the gateway', () => {
    it('answers the page without caching, assets for a year, under a CSP of its own origin', async () => {
      const base = ctx.platform.gatewayUrl;
      const redirect = await fetch(`${base}/admin`, { redirect: 'manual' });
      expect([redirect.status, redirect.headers.get('location')]).toEqual([308, '/admin/']);
      const page = await fetch(`${base}/admin/orders/held`);
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toMatch(/^text\/html/);
      expect(page.headers.get('cache-control')).toBe('no-cache');
      const csp = page.headers.get('content-security-policy') ?? '';
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("connect-src 'self'");
      expect(csp).toContain("frame-ancestors 'none'");
      const html = await page.text();
      const asset = /src="(\/admin\/assets\/[^"]+\.js)"/.exec(html)![1];
      const js = await fetch(`${base}${asset}`);
      expect(js.status).toBe(200);
      expect(js.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
      const missing = await fetch(`${base}/admin/assets/nothing-here.js`);
      expect(missing.status).toBe(404);
      expect(missing.headers.get('content-type')).toMatch(/problem\+json/);
      // the API keeps its own CSP
      const api = await fetch(`${base}/v1/categories`);
      expect(api.headers.get('content-security-policy')).toContain("default-src 'none'");
    });
  });
}
