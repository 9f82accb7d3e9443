import { useId, useState } from 'react';
import { useQuery } from '@tanstack/react-query';
import { useIntl } from 'react-intl';
import { Link } from 'react-router';
import { ok, type components } from '@emporia/sdk';
import { useT } from '../../i18n';
import { api } from '../../sdk';
import { Loading, Page, Section } from '../../ui/page';
import { ProblemAlert } from '../../ui/problem';
import { DataTable } from '../../ui/table';
import { useAgents } from './shared';

type Kpis = components['schemas']['AgentKpisView'];

const day = (d: Date) =>
  `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;

function lastMonth() {
  const from = new Date();
  from.setDate(from.getDate() - 29);
  return { from: day(from), to: day(new Date()) };
}

function DateField({
  label,
  value,
  onChange,
}: {
  label: string;
  value: string;
  onChange: (v: string) => void;
}) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        type="date"
        value={value}
        required
        onChange={(e) => onChange(e.target.value)}
      />
    </div>
  );
}

/** Supervisors' view: SLA targets, and each agent's and the team's figures over a period. */
export function KpisScreen() {
  const t = useT();
  const intl = useIntl();
  const [draft, setDraft] = useState(lastMonth);
  const [range, setRange] = useState(draft);
  const agents = useAgents();
  const kpis = useQuery({
    queryKey: ['support', 'kpis', range],
    queryFn: () => {
      const to = new Date(`${range.to}T00:00:00`);
      to.setDate(to.getDate() + 1);
      return ok(
        api.GET('/v1/admin/support/kpis', {
          params: {
            query: { from: new Date(`${range.from}T00:00:00`).toISOString(), to: to.toISOString() },
          },
        }),
      );
    },
  });
  const sla = useQuery({
    queryKey: ['support', 'sla'],
    queryFn: () => ok(api.GET('/v1/admin/support/sla')),
  });
  const pct = (x: number) => intl.formatNumber(x, { style: 'percent', maximumFractionDigits: 1 });
  const dur = (s: number) =>
    s >= 3600
      ? intl.formatNumber(s / 3600, { style: 'unit', unit: 'hour', maximumFractionDigits: 1 })
      : intl.formatNumber(s / 60, { style: 'unit', unit: 'minute', maximumFractionDigits: 0 });
  const name = (k: Kpis) =>
    k.agentId
      ? (agents.data?.items.find((a) => a.agentId === k.agentId)?.displayName ??
        k.agentId.slice(0, 8))
      : t('support.team');
  return (
    <Page
      title={t('support.kpisTitle')}
      actions={
        <Link className="button secondary" to="/support">
          {t('support.backToDesk')}
        </Link>
      }
    >
      <form
        className="row panel"
        aria-label={t('support.period')}
        onSubmit={(e) => {
          e.preventDefault();
          if (draft.from <= draft.to) setRange(draft);
        }}
      >
        <DateField
          label={t('support.from')}
          value={draft.from}
          onChange={(from) => setDraft((d) => ({ ...d, from }))}
        />
        <DateField
          label={t('support.to')}
          value={draft.to}
          onChange={(to) => setDraft((d) => ({ ...d, to }))}
        />
        <div className="field">
          <button type="submit" className="button">
            {t('support.show')}
          </button>
        </div>
      </form>
      <Section title={t('support.kpisAgents')} id="kpis">
        {kpis.isPending ? (
          <Loading />
        ) : kpis.isError ? (
          <ProblemAlert error={kpis.error} onRetry={() => void kpis.refetch()} />
        ) : (
          <DataTable
            caption={t('support.kpisAgents')}
            rows={[kpis.data.team, ...kpis.data.agents]}
            rowKey={(k) => k.agentId ?? 'team'}
            columns={[
              {
                key: 'who',
                header: t('support.agent'),
                render: (k) => (k.agentId ? name(k) : <strong>{name(k)}</strong>),
              },
              {
                key: 'assigned',
                header: t('support.kpi.assigned'),
                numeric: true,
                render: (k) => k.ticketsAssigned,
              },
              {
                key: 'resolved',
                header: t('support.kpi.resolved'),
                numeric: true,
                render: (k) => k.ticketsResolved,
              },
              {
                key: 'rate',
                header: t('support.kpi.resolutionRate'),
                numeric: true,
                render: (k) => pct(k.resolutionRate),
              },
              {
                key: 'reopen',
                header: t('support.kpi.reopenRate'),
                numeric: true,
                render: (k) => pct(k.reopenRate),
              },
              {
                key: 'frt',
                header: t('support.kpi.firstResponse'),
                numeric: true,
                render: (k) => dur(k.firstResponseSecondsP50),
              },
              {
                key: 'res',
                header: t('support.kpi.resolution'),
                numeric: true,
                render: (k) => dur(k.resolutionSecondsP50),
              },
              {
                key: 'csat',
                header: t('support.kpi.satisfaction'),
                numeric: true,
                render: (k) =>
                  k.surveys === 0
                    ? '—'
                    : `${intl.formatNumber(k.satisfactionAvg, { maximumFractionDigits: 2 })} (${k.surveys})`,
              },
              {
                key: 'breaches',
                header: t('support.kpi.breaches'),
                numeric: true,
                render: (k) => k.slaBreaches,
              },
            ]}
          />
        )}
      </Section>
      <Section title={t('support.slaTitle')} id="sla">
        {sla.isPending ? (
          <Loading />
        ) : sla.isError ? (
          <ProblemAlert error={sla.error} onRetry={() => void sla.refetch()} />
        ) : (
          <DataTable
            caption={t('support.slaTitle')}
            rows={sla.data.targets}
            rowKey={(s) => s.priority}
            columns={[
              { key: 'p', header: t('support.priority'), render: (s) => s.priority },
              {
                key: 'first',
                header: t('support.kpi.firstResponseTarget'),
                numeric: true,
                render: (s) => dur(s.firstResponseMinutes * 60),
              },
              {
                key: 'res',
                header: t('support.kpi.resolutionTarget'),
                numeric: true,
                render: (s) => dur(s.resolutionMinutes * 60),
              },
            ]}
          />
        )}
      </Section>
    </Page>
  );
}
