import type { Browser, Page } from 'playwright-core';
import { expectAccessible, totpNow, watchPage, type Platform } from '@emporia/testing';
import { createEmporiaClient, ok, type EmporiaClient } from '@emporia/sdk';

export const PASSWORD = 'a long enough password';

/** What every console test module gets: the platform, a browser, and signed-in pages. */
export interface ConsoleContext {
  platform: Platform;
  browser: Browser;
  /** The operator (roles customer,operator, MFA on): e-mail and TOTP secret. */
  operator: { email: string; secret: string; client: EmporiaClient };
  /** A new page signed in as the operator (through the sign-in and MFA screens), at /admin/. */
  operatorPage(): Promise<ConsolePage>;
  /**
   * A new page (English) at the console's sign-in screen, for a new account of `roles` (no MFA):
   * `signIn()` signs it in through the screen.
   */
  pageFor(
    roles: string,
  ): Promise<ConsolePage & { email: string; client: EmporiaClient; signIn(): Promise<void> }>;
  /** A typed client of the gateway (the SDK) signed in as a new account of `roles`. */
  clientFor(roles: string): Promise<{ email: string; accountId: string; client: EmporiaClient }>;
}

export interface ConsolePage {
  page: Page;
  /** Problems seen in the page (uncaught errors, CSP refusals, failed requests): expect none. */
  problems: string[];
  /** Opens a screen by its menu entry, waits for its heading, checks it with axe. */
  open(menuEntry: string | RegExp, heading?: string | RegExp): Promise<void>;
  /** axe on the page as it is now (a dialog open, a form filled). */
  checkA11y(screen: string): Promise<void>;
}

export function consolePage(page: Page): ConsolePage {
  const problems = watchPage(page);
  return {
    page,
    problems,
    async open(menuEntry, heading) {
      await page
        .getByRole('navigation')
        .getByRole('link', { name: menuEntry, exact: typeof menuEntry === 'string' })
        .click();
      await page.getByRole('heading', { level: 1, name: heading ?? menuEntry }).waitFor();
      await expectAccessible(page, String(menuEntry));
    },
    checkA11y: (screen) => expectAccessible(page, screen),
  };
}

/** Signs in through the console's screens (the second factor when `secret` is given). */
export async function signInThroughConsole(
  page: Page,
  baseUrl: string,
  email: string,
  secret?: string,
): Promise<void> {
  await page.goto(`${baseUrl}/admin/`);
  await submitSignIn(page, email, secret);
  await page.getByRole('navigation').waitFor();
}

/** The TOTP steps taken per secret: the platform takes each code once. */
const usedSteps = new Map<string, Set<number>>();

/** A TOTP code of a step not used yet (waits for the next step when this one was taken). */
async function freshTotp(secret: string): Promise<string> {
  const used = usedSteps.get(secret) ?? new Set<number>();
  usedSteps.set(secret, used);
  let step = Math.floor(Date.now() / 30_000);
  while (used.has(step)) {
    await new Promise((r) => setTimeout(r, (step + 1) * 30_000 - Date.now() + 50));
    step = Math.floor(Date.now() / 30_000);
  }
  used.add(step);
  return totpNow(secret);
}

/** Fills and sends the sign-in screens (the second factor when `secret` is given). */
export async function submitSignIn(page: Page, email: string, secret?: string): Promise<void> {
  await page.getByLabel(/E-mail or phone|邮箱或手机号/).fill(email);
  await page.getByLabel(/^(Password|密码)/).fill(PASSWORD);
  await page.getByRole('button', { name: /^(Sign in|登录)$/ }).click();
  if (secret) {
    const code = page.getByLabel(/Code|验证码/);
    await code.waitFor();
    await code.fill(await freshTotp(secret));
    await page.getByRole('button', { name: /^(Verify|验证)$/ }).click();
  }
}

/** A typed client (the SDK) of an account of `roles` made through the platform. */
export async function sdkAccount(
  platform: Platform,
  name: string,
  roles: string,
): Promise<{ email: string; accountId: string; client: EmporiaClient }> {
  const email = `${name}.${platform.suffix}@example.cn`;
  const { accountId } = await platform.signIn(email, PASSWORD, roles);
  const client = createEmporiaClient({ baseUrl: platform.gatewayUrl });
  await client.signIn(email, PASSWORD);
  return { email, accountId, client };
}

/** Turns MFA on for a signed-in client: the TOTP secret. */
export async function enableMfa(client: EmporiaClient): Promise<string> {
  const enrol = await ok(client.api.POST('/v1/me/mfa/enrolment'));
  await ok(
    client.api.POST('/v1/me/mfa/enrolment/confirm', {
      body: { code: await freshTotp(enrol.secret) },
    }),
  );
  return enrol.secret;
}

/** Waits until `check` holds (the screen may render again meanwhile), failing after `ms`. */
export async function until(
  what: string,
  check: () => Promise<boolean>,
  ms = 15_000,
): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`still not so after ${ms} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
