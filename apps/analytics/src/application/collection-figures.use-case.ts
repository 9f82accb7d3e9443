import { Inject, Injectable } from '@nestjs/common';
import type { RequestContext } from '@emporia/platform';
import { AnalyticsError } from '../domain/analytics-error';
import { CHANNELS, DEVICE_TYPES } from '../domain/behaviour-validation';
import { dayRange } from '../domain/days';
import {
  funnelSteps,
  kpiTotal,
  mainCurrency,
  shownChannel,
  sortAttribution,
  storedChannel,
  type AttributionRow,
  type FunnelStep,
  type KpiDay,
} from '../domain/figures';
import {
  COLLECTION_SETTINGS,
  FIGURES,
  type AbandonedCartView,
  type CollectionSettings,
  type Figures,
  type FunnelFilters,
  type KpiSplit,
} from './collection.ports';

type RangeIn = { fromDay: string; toDay: string } | undefined;

const invalid = (field: string, code: string, message: string) =>
  new AnalyticsError('INVALID_ARGUMENT', code, message, { field });

/**
 * The collection area's operator figures (GetKpis, GetFunnel, GetAttribution,
 * ListAbandonedCarts): checks the request, reads the rollups, does the arithmetic (AOV,
 * totals, step conversion) in the domain.
 */
@Injectable()
export class CollectionFigures {
  constructor(
    @Inject(FIGURES) private readonly figures: Figures,
    @Inject(COLLECTION_SETTINGS) private readonly settings: CollectionSettings,
  ) {}

  async kpis(
    _ctx: RequestContext,
    req: { range: RangeIn; channel: string },
  ): Promise<{ rows: KpiDay[]; total: KpiDay }> {
    const range = dayRange(req.range);
    const channel = (req.channel ?? '').trim();
    if (channel.length > 64) throw invalid('channel', 'CHANNEL_INVALID', 'channel is too long');
    const split: KpiSplit =
      channel === ''
        ? { by: 'channel' }
        : channel === 'all'
          ? { by: 'all' }
          : { by: 'one', channel: storedChannel(channel) };
    const days = await this.figures.kpiDays(range, split);
    const buyers = await this.figures.buyersInRange(
      range,
      split.by === 'one' ? split.channel : null,
    );
    const currency = mainCurrency(days, this.settings.defaultCurrency);
    const totalChannel = split.by === 'one' ? shownChannel(split.channel) : 'all';
    return {
      rows: days.map((d) => ({
        ...d,
        channel: d.channel === 'all' ? 'all' : shownChannel(d.channel),
      })),
      total: kpiTotal(days, buyers, { channel: totalChannel, currency, day: '' }),
    };
  }

  async funnel(
    _ctx: RequestContext,
    req: { range: RangeIn } & FunnelFilters,
  ): Promise<FunnelStep[]> {
    const range = dayRange(req.range);
    const filters: FunnelFilters = {
      channel: req.channel ?? '',
      utmSource: req.utmSource ?? '',
      device: req.device ?? '',
    };
    if (filters.channel && !(CHANNELS as readonly string[]).includes(filters.channel))
      throw invalid('channel', 'CHANNEL_INVALID', `channel must be one of ${CHANNELS.join(', ')}`);
    if (filters.device && !(DEVICE_TYPES as readonly string[]).includes(filters.device))
      throw invalid('device', 'DEVICE_INVALID', `device must be one of ${DEVICE_TYPES.join(', ')}`);
    if (filters.utmSource.length > 200)
      throw invalid('utm_source', 'UTM_SOURCE_INVALID', 'utm_source is longer than 200 characters');
    return funnelSteps(await this.figures.funnel(range, filters));
  }

  async attribution(
    _ctx: RequestContext,
    req: { range: RangeIn; model: string },
  ): Promise<AttributionRow[]> {
    const range = dayRange(req.range);
    if (req.model !== 'first_touch' && req.model !== 'last_touch')
      throw invalid('model', 'MODEL_INVALID', 'model must be first_touch or last_touch');
    return sortAttribution(await this.figures.attribution(range, req.model));
  }

  async abandonedCarts(_ctx: RequestContext, req: { limit: number }): Promise<AbandonedCartView[]> {
    const limit = req.limit ?? 0;
    if (!Number.isInteger(limit) || limit < 0 || limit > 1000)
      throw invalid('limit', 'LIMIT_INVALID', 'limit must be 0 (the default, 50) to 1000');
    return this.figures.abandonedCarts(limit || 50);
  }
}
