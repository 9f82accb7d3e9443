import { Inject, Injectable } from '@nestjs/common';
import type { RequestContext } from '@emporia/platform';
import {
  CLOCK,
  ID_GENERATOR,
  SUPPORT_SETTINGS,
  UNIT_OF_WORK,
  type Clock,
  type IdGenerator,
  type SupportSettings,
  type SupportTx,
  type UnitOfWork,
} from './ports';
import { enterQueue, message } from './ticket-flow';
import type { Ticket } from '../domain/ticket';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

const FOLLOW_UP: Record<string, string> = {
  'zh-CN': '您好，您的问题已处理完毕。请问现在一切正常吗？如仍有问题，可直接重新打开此工单。',
  en: 'Hello, your request was resolved a few days ago. Is everything all right now? If not, you can reopen this ticket.',
};

/**
 * What time does to tickets (the `support` sweep, once across replicas): SLA breaches and their
 * escalation, low satisfaction, the follow-up after resolution, closing after the reopen window,
 * idle bot conversations. Bounded batches; each ticket in its own transaction with its events,
 * re-read under its lock (a candidate changed meanwhile is left alone).
 */
@Injectable()
export class SupportSweepUseCase {
  constructor(
    @Inject(UNIT_OF_WORK) private readonly uow: UnitOfWork,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(ID_GENERATOR) private readonly ids: IdGenerator,
    @Inject(SUPPORT_SETTINGS) private readonly settings: SupportSettings,
  ) {}

  async run(ctx: RequestContext) {
    return {
      breaches: await this.breaches(ctx),
      lowSatisfaction: await this.lowSatisfaction(ctx),
      followUps: await this.followUps(ctx),
      closed: await this.closeExpired(ctx),
      botResolved: await this.resolveIdleBots(ctx),
    };
  }

  /** Each run-out clock: SlaBreached once; out of general, the ticket goes to senior. */
  async breaches(ctx: RequestContext): Promise<number> {
    const now = this.clock.now();
    const ids = await this.uow.run(ctx, (tx) =>
      tx.tickets.dueForBreach(now, this.settings.sweepBatch),
    );
    return this.each(ctx, ids, async (tx, t) => {
      if (!t.breachDue(now).length) return false;
      if (t.state.queue !== 'senior') {
        t.escalate('SLA_BREACH', now);
        await enterQueue(tx, t, now, this.settings);
      }
      return true;
    });
  }

  /** A survey of 1 or 2: to the senior queue for a follow-up (once), with an internal note. */
  async lowSatisfaction(ctx: RequestContext): Promise<number> {
    const now = this.clock.now();
    const ids = await this.uow.run(ctx, (tx) =>
      tx.tickets.lowSatisfaction(this.settings.sweepBatch),
    );
    return this.each(ctx, ids, async (tx, t) => {
      const s = t.state;
      if (!s.survey || s.survey.rating > 2 || s.lowSatisfactionHandledAt) return false;
      if (s.queue !== 'senior') t.escalate('LOW_SATISFACTION', now);
      t.markLowSatisfactionHandled(now);
      await tx.messages.add(
        message(
          this.ids.newId(),
          t.id,
          'SYSTEM',
          '',
          `Satisfaction ${s.survey.rating}/5: follow up with the customer. ${s.survey.comment}`.trim(),
          now,
          { internal: true },
        ),
      );
      return true;
    });
  }

  /** SUPPORT_FOLLOW_UP_DAYS after resolution: one SYSTEM message to the customer. */
  async followUps(ctx: RequestContext): Promise<number> {
    const now = this.clock.now();
    const before = new Date(now.getTime() - this.settings.followUpDays * DAY);
    const ids = await this.uow.run(ctx, (tx) =>
      tx.tickets.dueForFollowUp(before, this.settings.sweepBatch),
    );
    return this.each(ctx, ids, async (tx, t) => {
      const s = t.state;
      if (s.followedUpAt || !s.resolvedAt || s.resolvedAt > before) return false;
      if (s.status !== 'RESOLVED' && s.status !== 'CLOSED') return false;
      t.markFollowedUp(now);
      await tx.messages.add(
        message(this.ids.newId(), t.id, 'SYSTEM', '', FOLLOW_UP[s.locale], now),
      );
      return true;
    });
  }

  /** RESOLVED past the reopen window: CLOSED. */
  async closeExpired(ctx: RequestContext): Promise<number> {
    const now = this.clock.now();
    const ids = await this.uow.run(ctx, (tx) =>
      tx.tickets.dueForClose(now, this.settings.sweepBatch),
    );
    return this.each(ctx, ids, async (_tx, t) => {
      if (t.state.status !== 'RESOLVED' || !t.state.reopenUntil || t.state.reopenUntil > now)
        return false;
      t.close(now);
      return true;
    });
  }

  /** A bot conversation nobody touched for SUPPORT_BOT_IDLE_HOURS: resolved by the bot. */
  async resolveIdleBots(ctx: RequestContext): Promise<number> {
    const now = this.clock.now();
    const before = new Date(now.getTime() - this.settings.botIdleHours * HOUR);
    const ids = await this.uow.run(ctx, (tx) =>
      tx.tickets.idleBot(before, this.settings.sweepBatch),
    );
    return this.each(ctx, ids, async (_tx, t) => {
      if (t.state.status !== 'BOT' || t.state.lastActivityAt > before) return false;
      t.resolveIdleBot(now, this.settings.reopenDays);
      return true;
    });
  }

  private async each(
    ctx: RequestContext,
    ids: string[],
    step: (tx: SupportTx, t: Ticket) => Promise<boolean>,
  ): Promise<number> {
    let changed = 0;
    for (const id of ids) {
      const done = await this.uow.run(ctx, async (tx) => {
        const t = await tx.tickets.get(id, true);
        if (!t || !(await step(tx, t))) return false;
        await tx.tickets.save(t);
        return true;
      });
      if (done) changed++;
    }
    return changed;
  }
}
