import { ok } from '@emporia/sdk';
import { until, type ConsoleContext } from './context';

/** The agents' desk: shift, queues, a ticket's conversation, claiming, replies, notes, resolving. */
export function supportTests(ctx: ConsoleContext): void {
  describe('support: the agents desk', () => {
    it("shows an agent a customer's ticket; the agent claims it and replies, and the customer sees the reply", async () => {
      const agent = await ctx.pageFor('customer,agent');
      const { page, checkA11y } = agent;
      await agent.signIn();
      await page.getByRole('heading', { level: 1, name: 'Support desk' }).waitFor();
      await page.getByText(/You are not an agent on the desk yet/).waitFor();
      await checkA11y('support desk, new agent');
      await page.getByLabel(/^Display name/).fill('Ann');
      await page.getByRole('button', { name: 'Save my shift' }).click();
      await page.getByRole('tab', { name: 'General queue' }).waitFor();

      // a customer opens a ticket through the API (product quality goes straight to a person)
      const customer = await ctx.clientFor('customer');
      const subject = `Cracked mug ${ctx.platform.suffix}`;
      const opened = await ok(
        customer.client.api.POST('/v1/support/tickets', {
          body: {
            category: 'PRODUCT_QUALITY',
            subject,
            body: 'The mug arrived cracked.',
            locale: 'en',
          },
        }),
      );
      expect(opened.ticket.status).toBe('OPEN');

      await page.getByRole('button', { name: 'Refresh' }).click();
      await page.getByRole('link', { name: subject }).click();
      await page.getByRole('heading', { level: 1, name: subject }).waitFor();
      await page.getByText('The mug arrived cracked.').waitFor();
      await checkA11y('a ticket');

      await page.getByRole('button', { name: 'Claim ticket' }).click();
      await page.getByRole('status').getByText('Claimed: the ticket is yours').waitFor();
      const details = page.getByRole('region', { name: 'Ticket', exact: true });
      await details.getByText('Me', { exact: true }).waitFor();

      const reply = 'Sorry about that: a new mug is on its way today.';
      await page.getByLabel(/^Reply to the customer/).fill(reply);
      await page.getByRole('button', { name: 'Send reply' }).click();
      const conversation = page.getByRole('region', { name: 'Conversation', exact: true });
      await conversation.getByText(reply).waitFor();
      // the form is cleared once the reply is sent: only then a note
      const replyBox = page.getByLabel(/^Reply to the customer/);
      await until('the reply box cleared', async () => (await replyBox.inputValue()) === '');

      const note = 'Replacement shipped from SH-1.';
      await page.getByLabel('Internal note (agents only)').check();
      await page.getByLabel(/^Internal note \(the customer never sees it\)/).fill(note);
      await page.getByRole('button', { name: 'Add note' }).click();
      await conversation.getByText(note).waitFor();
      // the whole conversation stays: the customer's message, the reply, the note
      await conversation.getByText('The mug arrived cracked.').waitFor();
      await conversation.getByText(reply).waitFor();
      await checkA11y('a ticket with a reply and a note');
      // on a phone: nothing scrolls sideways
      await page.setViewportSize({ width: 390, height: 800 });
      expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
      await checkA11y('a ticket on a small screen');
      await page.setViewportSize({ width: 1280, height: 720 });

      // the customer sees the reply, never the note
      const seen = await ok(
        customer.client.api.GET('/v1/support/tickets/{id}', {
          params: { path: { id: opened.ticket.id } },
        }),
      );
      expect(seen.ticket.status).toBe('WAITING_CUSTOMER');
      expect(seen.messages.filter((m) => m.authorKind === 'AGENT').map((m) => m.body)).toEqual([
        reply,
      ]);
      expect(JSON.stringify(seen)).not.toContain(note);

      await page.getByRole('button', { name: 'Resolve' }).click();
      const dialog = page.getByRole('dialog', { name: 'Resolve this ticket?' });
      await dialog.getByLabel('Resolution note').fill('replacement sent');
      await checkA11y('resolve dialog');
      await dialog.getByRole('button', { name: 'Resolve' }).click();
      await dialog.waitFor({ state: 'detached' });
      await details.getByText('Resolved', { exact: true }).waitFor();
      const resolved = await ok(
        customer.client.api.GET('/v1/support/tickets/{id}', {
          params: { path: { id: opened.ticket.id } },
        }),
      );
      expect(resolved.ticket.status).toBe('RESOLVED');
      expect(agent.problems).toEqual([]);
      await page.close();
    });

    it("shows operators the team's KPIs and SLA targets", async () => {
      const { page, open, checkA11y, problems } = await ctx.operatorPage();
      await open('客服工单', '客服工作台');
      await page.getByRole('link', { name: '团队指标与 SLA' }).click();
      await page.getByRole('heading', { level: 1, name: '客服指标' }).waitFor();
      const sla = page.getByRole('region', { name: 'SLA 目标' });
      await sla.getByRole('cell', { name: 'P1', exact: true }).waitFor();
      await page
        .getByRole('region', { name: '坐席与团队指标（按转人工时间统计）' })
        .getByText('团队合计')
        .waitFor();
      await checkA11y('support KPIs');
      expect(problems).toEqual([]);
    });
  });
}
