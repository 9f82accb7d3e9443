import { useQuery } from '@tanstack/react-query';
import { ok, type components } from '@emporia/sdk';
import { useId } from 'react';
import { useIntl } from 'react-intl';
import { Link } from 'react-router';
import { useT } from '../../i18n';
import { api } from '../../sdk';
import { toMajor, type MoneyValue } from '../../ui/money';
import { Loading, Page, Section } from '../../ui/page';
import { ProblemAlert } from '../../ui/problem';
import { DataTable } from '../../ui/table';

type Figures = components['schemas']['KpiFiguresView'];
type Row = components['schemas']['KpiRowView'];
type Money = components['schemas']['MoneyDto'];

/**
 * The shop's days are those of its time zone (the analytics service's ANALYTICS_TIME_ZONE,
 * Asia/Shanghai unless configured otherwise), whatever the operator's browser says.
 */
export const SHOP_TIME_ZONE = 'Asia/Shanghai';
const DAYS = 30;

/** A day (YYYY-MM-DD) in the shop's time zone, `back` days before today. */
function shopDay(back: number, now = Date.now()): string {
  return new Intl.DateTimeFormat('en-CA', {
    timeZone: SHOP_TIME_ZONE,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(new Date(now - back * 86_400_000));
}

const zero = (currency: Money['currency']): Money => ({ amountMinor: 0, currency });

/** `/`: today's and the last 30 days' figures, GMV per day, the funnel, what waits for an operator. */
export function DashboardScreen() {
  const t = useT();
  const from = shopDay(DAYS - 1);
  const to = shopDay(0);
  const kpis = useQuery({
    queryKey: ['dashboard', 'kpis', from, to],
    queryFn: () =>
      ok(api.GET('/v1/admin/analytics/kpis', { params: { query: { from, to, channel: 'all' } } })),
    refetchInterval: 60_000,
  });
  const funnel = useQuery({
    queryKey: ['dashboard', 'funnel', from, to],
    queryFn: () => ok(api.GET('/v1/admin/analytics/funnel', { params: { query: { from, to } } })),
    refetchInterval: 60_000,
  });
  const rows = kpis.data?.rows ?? [];
  const currency = rows[0]?.gmv.currency ?? kpis.data?.total?.gmv.currency ?? 'CNY';
  const days = Array.from({ length: DAYS }, (_, i) => shopDay(DAYS - 1 - i));
  const byDay = new Map(rows.map((r) => [r.day, r]));
  const series = days.map((day) => ({
    day,
    gmv: byDay.get(day)?.gmv ?? zero(currency),
    row: byDay.get(day),
  }));
  const empty: Figures = {
    channel: 'all',
    gmv: zero(currency),
    orders: 0,
    paidOrders: 0,
    aov: zero(currency),
    units: 0,
    refunds: zero(currency),
    newBuyers: 0,
    returningBuyers: 0,
  };
  return (
    <Page title={t('nav.dashboard')}>
      <p className="mk-hint">{t('dashboard.timeZone', { zone: SHOP_TIME_ZONE, from, to })}</p>
      <Waiting />
      {kpis.isPending ? <Loading /> : null}
      <ProblemAlert error={kpis.error} onRetry={() => void kpis.refetch()} />
      {kpis.data ? (
        <>
          <Section title={t('dashboard.today')} id="today">
            <KpiFigures figures={byDay.get(to) ?? empty} />
          </Section>
          <Section title={t('dashboard.last30')} id="last30">
            <KpiFigures figures={kpis.data.total ?? empty} />
          </Section>
          <Section title={t('dashboard.gmvPerDay')} id="gmv-chart">
            <GmvChart series={series} currency={currency} />
          </Section>
        </>
      ) : null}
      <Section title={t('dashboard.funnel')} id="funnel">
        {funnel.isPending ? <Loading /> : null}
        <ProblemAlert error={funnel.error} onRetry={() => void funnel.refetch()} />
        {funnel.data ? <Funnel steps={funnel.data.steps} /> : null}
      </Section>
    </Page>
  );
}

function useMoney() {
  const intl = useIntl();
  return (m: MoneyValue) =>
    intl.formatNumber(toMajor(m), { style: 'currency', currency: m.currency });
}

function KpiFigures({ figures }: { figures: Figures }) {
  const t = useT();
  const intl = useIntl();
  const money = useMoney();
  return (
    <dl className="kpis">
      <div>
        <dt>{t('dashboard.orders')}</dt>
        <dd>{intl.formatNumber(figures.orders)}</dd>
      </div>
      <div>
        <dt>{t('dashboard.paidOrders')}</dt>
        <dd>{intl.formatNumber(figures.paidOrders)}</dd>
      </div>
      <div>
        <dt>{t('dashboard.gmv')}</dt>
        <dd>{money(figures.gmv)}</dd>
      </div>
      <div>
        <dt>{t('dashboard.aov')}</dt>
        <dd>{money(figures.aov)}</dd>
      </div>
    </dl>
  );
}

/** GMV per day as bars (an image with its text alternative) and the same figures in a table. */
function GmvChart({
  series,
  currency,
}: {
  series: { day: string; gmv: MoneyValue; row: Row | undefined }[];
  currency: Money['currency'];
}) {
  const t = useT();
  const intl = useIntl();
  const money = useMoney();
  const descId = useId();
  const W = 600;
  const H = 200;
  const pad = { left: 8, right: 8, top: 12, bottom: 24 };
  const max = Math.max(...series.map((s) => s.gmv.amountMinor), 0);
  const total = series.reduce((sum, s) => sum + s.gmv.amountMinor, 0);
  const best = series.reduce((a, b) => (b.gmv.amountMinor > a.gmv.amountMinor ? b : a), series[0]);
  const slot = (W - pad.left - pad.right) / series.length;
  const dayLabel = (day: string) =>
    intl.formatDate(`${day}T12:00:00Z`, { month: 'short', day: 'numeric', timeZone: 'UTC' });
  const summary =
    max === 0
      ? t('dashboard.chartNone', { days: series.length })
      : t('dashboard.chartSummary', {
          days: series.length,
          total: money({ amountMinor: total, currency }),
          best: money(best.gmv),
          bestDay: dayLabel(best.day),
        });
  return (
    <>
      <svg
        className="chart"
        viewBox={`0 0 ${W} ${H}`}
        role="img"
        aria-label={t('dashboard.gmvPerDay')}
        aria-describedby={descId}
      >
        <line
          className="axis"
          x1={pad.left}
          x2={W - pad.right}
          y1={H - pad.bottom}
          y2={H - pad.bottom}
        />
        {series.map((s, i) => {
          const h = max === 0 ? 0 : ((H - pad.top - pad.bottom) * s.gmv.amountMinor) / max;
          return (
            <rect
              key={s.day}
              className="bar"
              x={pad.left + i * slot + slot * 0.15}
              width={slot * 0.7}
              y={H - pad.bottom - h}
              height={h}
            />
          );
        })}
        {[0, Math.floor(series.length / 2), series.length - 1].map((i) => (
          <text
            key={i}
            x={pad.left + i * slot + slot / 2}
            y={H - 6}
            textAnchor={i === 0 ? 'start' : i === series.length - 1 ? 'end' : 'middle'}
          >
            {dayLabel(series[i].day)}
          </text>
        ))}
      </svg>
      <p id={descId}>{summary}</p>
      <details>
        <summary>{t('dashboard.showData')}</summary>
        <DataTable
          caption={t('dashboard.gmvTable')}
          rows={series}
          rowKey={(s) => s.day}
          columns={[
            { key: 'day', header: t('dashboard.day'), render: (s) => dayLabel(s.day) },
            {
              key: 'orders',
              header: t('dashboard.orders'),
              numeric: true,
              render: (s) => intl.formatNumber(s.row?.orders ?? 0),
            },
            {
              key: 'paid',
              header: t('dashboard.paidOrders'),
              numeric: true,
              render: (s) => intl.formatNumber(s.row?.paidOrders ?? 0),
            },
            { key: 'gmv', header: t('dashboard.gmv'), numeric: true, render: (s) => money(s.gmv) },
            {
              key: 'aov',
              header: t('dashboard.aov'),
              numeric: true,
              render: (s) => money(s.row?.aov ?? zero(currency)),
            },
          ]}
        />
      </details>
    </>
  );
}

function Funnel({ steps }: { steps: components['schemas']['FunnelStepView'][] }) {
  const t = useT();
  const intl = useIntl();
  const first = steps[0]?.visitors ?? 0;
  const pct = (n: number) => intl.formatNumber(n, { style: 'percent', maximumFractionDigits: 1 });
  return (
    <DataTable
      caption={t('dashboard.funnel')}
      rows={steps}
      rowKey={(s) => s.step}
      columns={[
        { key: 'step', header: t('dashboard.step'), render: (s) => t(`dashboard.step.${s.step}`) },
        {
          key: 'visitors',
          header: t('dashboard.visitors'),
          numeric: true,
          render: (s) => intl.formatNumber(s.visitors),
        },
        {
          key: 'conversion',
          header: t('dashboard.conversion'),
          numeric: true,
          render: (s) => pct(s.conversion),
        },
        {
          key: 'drop',
          header: t('dashboard.dropOff'),
          numeric: true,
          render: (s) => pct(s.dropOff),
        },
        {
          key: 'bar',
          header: t('dashboard.share'),
          numeric: true,
          render: (s) => (
            <span className="funnel-share">
              <span className="funnel-track" aria-hidden="true">
                <span
                  className="funnel-bar"
                  style={{ width: `${first === 0 ? 0 : (100 * s.visitors) / first}%` }}
                />
              </span>
              {pct(first === 0 ? 0 : s.visitors / first)}
            </span>
          ),
        },
      ]}
    />
  );
}

/** What waits for an operator: SKUs under their threshold, orders held for review. */
function Waiting() {
  const t = useT();
  const intl = useIntl();
  const lowStock = useQuery({
    queryKey: ['dashboard', 'low-stock'],
    queryFn: () => ok(api.GET('/v1/admin/low-stock', { params: { query: { limit: 500 } } })),
    refetchInterval: 60_000,
  });
  const held = useQuery({
    queryKey: ['dashboard', 'held-orders'],
    queryFn: () =>
      ok(
        api.GET('/v1/admin/orders', {
          params: { query: { status: 'PENDING_REVIEW', limit: 100 } },
        }),
      ),
    refetchInterval: 60_000,
  });
  const count = (q: typeof lowStock | typeof held) =>
    q.data
      ? `${intl.formatNumber(q.data.items.length)}${q.data.nextCursor ? '+' : ''}`
      : q.error
        ? t('dashboard.unavailable')
        : t('app.loading');
  return (
    <Section title={t('dashboard.waiting')} id="waiting">
      <ul className="dash-links">
        <li>
          <Link to="/catalog/low-stock">{t('dashboard.lowStock', { count: count(lowStock) })}</Link>
        </li>
        <li>
          <Link to="/orders/held">{t('dashboard.held', { count: count(held) })}</Link>
        </li>
      </ul>
      <ProblemAlert error={lowStock.error} />
      <ProblemAlert error={held.error} />
    </Section>
  );
}
