import { Inject, Injectable } from '@nestjs/common';
import type { RequestContext } from '@emporia/platform';
import {
  aggregateInsights,
  formatIsoWeek,
  insightsCsv,
  parseIsoWeek,
  weekSearchRange,
  type InsightRow,
} from '../domain/insights';
import { computeKpis, type Kpis } from '../domain/kpis';
import {
  COMPLAINT_CATEGORIES,
  validateSlaTargets,
  type Category,
  type Locale,
  type SlaTarget,
} from '../domain/policy';
import { invalid, SupportError } from '../domain/support-error';
import { validateTemplate, type ReplyTemplate } from '../domain/template';
import {
  CLOCK,
  ID_GENERATOR,
  SUPPORT_SETTINGS,
  UNIT_OF_WORK,
  type Clock,
  type IdGenerator,
  type SupportSettings,
  type UnitOfWork,
} from './ports';

const MAX_KPI_DAYS = 366;

/** The supervisors' side: reply templates, SLA targets, KPIs and the weekly complaint export. */
@Injectable()
export class OperationsUseCase {
  constructor(
    @Inject(UNIT_OF_WORK) private readonly uow: UnitOfWork,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(ID_GENERATOR) private readonly ids: IdGenerator,
    @Inject(SUPPORT_SETTINGS) private readonly settings: SupportSettings,
  ) {}

  /** Creates (no id) or replaces a template; unknown variables are TEMPLATE_INVALID. */
  async upsertTemplate(
    ctx: RequestContext,
    t: { id: string; name: string; categories: string[]; locale: string; body: string },
    operatorId: string,
  ): Promise<ReplyTemplate> {
    const categories = validateTemplate({
      ...t,
      categories: t.categories as Category[],
      locale: t.locale as Locale,
    });
    return this.uow.run(ctx, async (tx) => {
      if (t.id && !(await tx.templates.get(t.id)))
        throw new SupportError(
          'NOT_FOUND',
          'TEMPLATE_NOT_FOUND',
          `template ${t.id} does not exist`,
        );
      const template: ReplyTemplate = {
        id: t.id || this.ids.newId(),
        name: t.name.trim(),
        categories,
        locale: t.locale as Locale,
        body: t.body,
        updatedAt: this.clock.now(),
        updatedBy: operatorId,
      };
      await tx.templates.upsert(template);
      return template;
    });
  }

  listTemplates(
    ctx: RequestContext,
    category?: Category,
    locale?: Locale,
  ): Promise<ReplyTemplate[]> {
    return this.uow.run(ctx, async (tx) =>
      (await tx.templates.list()).filter(
        (t) =>
          (!category || t.categories.length === 0 || t.categories.includes(category)) &&
          (!locale || t.locale === locale),
      ),
    );
  }

  deleteTemplate(ctx: RequestContext, id: string): Promise<void> {
    return this.uow.run(ctx, async (tx) => {
      if (!(await tx.templates.delete(id)))
        throw new SupportError('NOT_FOUND', 'TEMPLATE_NOT_FOUND', `template ${id} does not exist`);
    });
  }

  /** Replaces the whole table (validated); tickets handed off from now on use it. */
  async setSlaTargets(
    ctx: RequestContext,
    targets: SlaTarget[],
    operatorId: string,
  ): Promise<SlaTarget[]> {
    const table = validateSlaTargets(targets);
    return this.uow.run(ctx, async (tx) => {
      await tx.sla.replace(table, operatorId, this.clock.now());
      return table;
    });
  }

  slaTargets(ctx: RequestContext): Promise<SlaTarget[]> {
    return this.uow.run(ctx, (tx) => tx.sla.list());
  }

  /** Per agent and for the team, over tickets handed off in [from, to) (≤ 366 days). */
  async kpis(
    ctx: RequestContext,
    fromText: string,
    toText: string,
  ): Promise<{ agents: Kpis[]; team: Kpis }> {
    const from = instant(fromText, 'from');
    const to = instant(toText, 'to');
    if (from >= to) throw invalid('RANGE_INVALID', 'from must be before to', 'from');
    if (to.getTime() - from.getTime() > MAX_KPI_DAYS * 86_400_000)
      throw invalid('RANGE_INVALID', `at most ${MAX_KPI_DAYS} days`, 'to');
    const facts = await this.uow.run(ctx, (tx) => tx.tickets.factsHandedOffBetween(from, to));
    return computeKpis(facts);
  }

  /** Complaints (PRODUCT_QUALITY, LOGISTICS_DELAY, RETURN_REFUND) opened in an ISO week. */
  async insights(
    ctx: RequestContext,
    weekText: string,
  ): Promise<{ week: string; rows: InsightRow[]; csv: string }> {
    const week = parseIsoWeek(weekText);
    const { from, to } = weekSearchRange(week);
    const complaints = await this.uow.run(ctx, (tx) =>
      tx.tickets.complaintsOpenedBetween(from, to, COMPLAINT_CATEGORIES),
    );
    const rows = aggregateInsights(complaints, week, this.settings.timeZone);
    return { week: formatIsoWeek(week), rows, csv: insightsCsv(rows) };
  }
}

function instant(v: string, field: string): Date {
  const d = new Date(v);
  if (!/^\d{4}-\d{2}-\d{2}T/.test(v) || Number.isNaN(d.getTime()))
    throw invalid('RANGE_INVALID', `${field} must be an RFC 3339 instant`, field);
  return d;
}
