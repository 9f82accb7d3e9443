import { launchChromium, newPage, startPlatform } from '@emporia/testing';
import {
  consolePage,
  enableMfa,
  sdkAccount,
  signInThroughConsole,
  submitSignIn,
  type ConsoleContext,
  type ConsolePage,
} from './console/context';
import { accountsTests } from './console/accounts';
import { catalogTests } from './console/catalog';
import { dashboardTests } from './console/dashboard';
import { marketingTests } from './console/marketing';
import { ordersTests } from './console/orders';
import { riskTests } from './console/risk';
import { sdkTests } from './console/sdk';
import { screenshotTests } from './console/screenshots';
import { searchAdminTests } from './console/search-admin';
import { shellTests } from './console/shell';
import { supportTests } from './console/support';

jest.setTimeout(300_000);

/**
 * The operator console (apps/console, served by the gateway at /admin) in Debian's Chromium,
 * driven by Playwright, against the real platform: every service as its own process on real
 * Postgres, Redis, Kafka and Elasticsearch. Each screen is checked with axe (WCAG 2.2 A/AA, no
 * serious or critical violation). The parts of the console have their tests in e2e/console/.
 */
describe('the operator console in Chromium', () => {
  const ctx = {} as ConsoleContext;
  let operatorPage: ConsolePage | undefined;

  beforeAll(async () => {
    ctx.platform = await startPlatform({
      catalog: true,
      search: true,
      user: true,
      order: true,
      marketing: true,
      risk: true,
      analytics: true,
      support: true,
      // the orders and risk screens place orders of ¥60,000 and ¥95,000 to addresses typed in at
      // checkout by customers who never step up: the large-order step-up rule is
      // e2e/account-security.int-spec.ts's, off here
      orderEnv: { ORDER_STEP_UP_MIN_TOTAL: '0' },
      // EMPORIA_CONSOLE_DIR: a console build of its own (`npm run build:console -- --outDir <dir>`)
      gatewayEnv: process.env.EMPORIA_CONSOLE_DIR
        ? { CONSOLE_DIR: process.env.EMPORIA_CONSOLE_DIR }
        : {},
    });
    ctx.browser = await launchChromium();
    const ops = await sdkAccount(ctx.platform, 'console-ops', 'customer,operator');
    ctx.operator = { email: ops.email, secret: await enableMfa(ops.client), client: ops.client };
    // one page signed in with the second factor, shared by the parts in turn (a TOTP code
    // is taken once, so a second sign-in would wait for the next one)
    ctx.operatorPage = async () => {
      if (!operatorPage) {
        const page = await newPage(ctx.browser, { locale: 'zh-CN' });
        const watched = consolePage(page);
        await signInThroughConsole(page, ctx.platform.gatewayUrl, ops.email, ctx.operator.secret);
        operatorPage = watched;
      }
      return operatorPage;
    };
    let n = 0;
    ctx.clientFor = (roles) => sdkAccount(ctx.platform, `console-${++n}`, roles);
    ctx.pageFor = async (roles) => {
      const account = await ctx.clientFor(roles);
      const page = await newPage(ctx.browser, { locale: 'en-US' });
      const watched = consolePage(page);
      await page.goto(`${ctx.platform.gatewayUrl}/admin/`);
      return {
        ...watched,
        email: account.email,
        client: account.client,
        signIn: () => submitSignIn(page, account.email),
      };
    };
  });

  afterAll(async () => {
    await ctx.browser?.close();
    await ctx.platform?.stop();
  });

  sdkTests(ctx);
  shellTests(ctx);
  dashboardTests(ctx);
  catalogTests(ctx);
  ordersTests(ctx);
  marketingTests(ctx);
  riskTests(ctx);
  searchAdminTests(ctx);
  accountsTests(ctx);
  supportTests(ctx);
  screenshotTests(ctx);
});
