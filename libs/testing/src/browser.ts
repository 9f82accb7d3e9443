import { AxeBuilder } from '@axe-core/playwright';
import { chromium, type Browser, type BrowserContextOptions, type Page } from 'playwright-core';

/**
 * Debian's Chromium (deploy/local/chromium.sh installs it; EMPORIA_CHROMIUM names another),
 * headless, driven by Playwright. The flags keep it off the network it cannot reach here
 * (background services, component updates, sync) and let it run as root.
 */
export async function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.EMPORIA_CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-dev-shm-usage',
    ],
  });
}

/** A page in a context of its own (no cookies or storage shared; axe needs a context's page). */
export async function newPage(
  browser: Browser,
  options: BrowserContextOptions = {},
): Promise<Page> {
  const context = await browser.newContext(options);
  return context.newPage();
}

/** Pages axe is checking now: axe adds <style> elements of its own, which a strict CSP refuses. */
const axeRunning = new WeakMap<Page, number>();

/**
 * What went wrong in a page: uncaught errors, console errors (a CSP refusal among them) and
 * failed requests to its own origin. A test expects it empty at the end.
 */
export function watchPage(page: Page): string[] {
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    // a refused API call is logged by the browser as a failed resource; the screen shows it
    const text = message.text();
    if (message.type() !== 'error' || /status of (4\d\d)/.test(text)) return;
    // axe's own style elements, refused by the page's CSP while it checks, are not the page's
    if ((axeRunning.get(page) ?? 0) > 0 && /Applying inline style violates/.test(text)) return;
    problems.push(`console: ${text}`);
  });
  page.on('requestfailed', (request) =>
    problems.push(`request failed: ${request.method()} ${request.url()}`),
  );
  return problems;
}

/**
 * An axe-core check of the page as it is now against WCAG 2.2 A and AA: throws naming every
 * serious or critical violation (rule, impact, the elements), so the test says what to fix.
 */
export async function expectAccessible(page: Page, screen: string): Promise<void> {
  axeRunning.set(page, (axeRunning.get(page) ?? 0) + 1);
  const result = await new AxeBuilder({ page })
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'])
    .analyze()
    .finally(async () => {
      // its console messages arrive after its answer
      await page.waitForTimeout(100).catch(() => undefined);
      axeRunning.set(page, (axeRunning.get(page) ?? 1) - 1);
    });
  const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  if (bad.length > 0)
    throw new Error(
      `${screen}: ${bad.length} serious accessibility violation(s)\n` +
        bad
          .map(
            (v) =>
              `- ${v.id} (${v.impact}): ${v.help}\n` +
              v.nodes
                .slice(0, 5)
                .map((n) => `    ${n.target.join(' ')}: ${n.failureSummary?.split('\n').join(' ')}`)
                .join('\n'),
          )
          .join('\n'),
    );
}
