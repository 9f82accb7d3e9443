import { useId, useState } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useIntl } from 'react-intl';
import { ok } from '@emporia/sdk';
import { useT } from '../../i18n';
import { api } from '../../sdk';
import { NumberInput } from '../../ui/fields';
import { Loading, Page, Section } from '../../ui/page';
import { ProblemAlert } from '../../ui/problem';
import { DataTable } from '../../ui/table';
import { DateTime } from '../../ui/format';

/** A calendar day (yyyy-mm-dd) in this browser's time zone. */
const day = (d: Date) =>
  `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;

interface Range {
  since: string;
  until: string;
  limit: number;
}

/** The instant a local day starts, as RFC 3339 (the day after `until` ends the range). */
function bounds(r: Range): { since: string; until: string } {
  const until = new Date(`${r.until}T00:00:00`);
  until.setDate(until.getDate() + 1);
  return {
    since: new Date(`${r.since}T00:00:00`).toISOString(),
    until: new Date(Math.min(until.getTime(), Date.now())).toISOString(),
  };
}

function DateField({
  label,
  value,
  onChange,
  max,
}: {
  label: string;
  value: string;
  onChange: (v: string) => void;
  max?: string;
}) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        type="date"
        value={value}
        max={max}
        required
        onChange={(e) => onChange(e.target.value)}
      />
    </div>
  );
}

/** The last seven days, today included. */
function lastWeek(): Range {
  const weekAgo = new Date();
  weekAgo.setDate(weekAgo.getDate() - 6);
  return { since: day(weekAgo), until: day(new Date()), limit: 20 };
}

export function QueriesScreen() {
  const t = useT();
  const [today] = useState(() => day(new Date()));
  const [draft, setDraft] = useState<Range>(lastWeek);
  const [range, setRange] = useState<Range>(draft);
  const queryClient = useQueryClient();
  return (
    <Page title={t('search.queriesTitle')}>
      <p className="ops-lead">{t('search.queriesLead')}</p>
      <form
        className="row panel"
        aria-label={t('search.period')}
        onSubmit={(e) => {
          e.preventDefault();
          if (draft.since > draft.until) return;
          setRange(draft);
          // the same period asked again is looked up again (new searches since)
          void queryClient.invalidateQueries({ queryKey: ['search', 'queries'] });
        }}
      >
        <DateField
          label={t('search.since')}
          value={draft.since}
          max={draft.until}
          onChange={(since) => setDraft((d) => ({ ...d, since }))}
        />
        <DateField
          label={t('search.until')}
          value={draft.until}
          max={today}
          onChange={(until) => setDraft((d) => ({ ...d, until }))}
        />
        <NumberInput
          label={t('search.limit')}
          value={draft.limit}
          minValue={1}
          maxValue={200}
          step={1}
          onChange={(limit) => setDraft((d) => ({ ...d, limit: limit || 20 }))}
        />
        <div className="field">
          <button type="submit" className="button">
            {t('search.apply')}
          </button>
        </div>
      </form>
      <QueryTable range={range} zeroResults={false} />
      <QueryTable range={range} zeroResults />
    </Page>
  );
}

function QueryTable({ range, zeroResults }: { range: Range; zeroResults: boolean }) {
  const t = useT();
  const intl = useIntl();
  const stats = useQuery({
    queryKey: ['search', 'queries', range, zeroResults],
    queryFn: () =>
      ok(
        api.GET('/v1/admin/search/queries', {
          params: {
            query: {
              ...bounds(range),
              limit: range.limit,
              zeroResults: zeroResults ? 'true' : 'false',
            },
          },
        }),
      ),
  });
  const title = t(zeroResults ? 'search.zeroTitle' : 'search.topTitle');
  return (
    <Section title={title} id={zeroResults ? 'zero-queries' : 'top-queries'}>
      {zeroResults ? <p>{t('search.zeroLead')}</p> : null}
      {stats.isPending ? (
        <Loading />
      ) : stats.isError ? (
        <ProblemAlert error={stats.error} onRetry={() => void stats.refetch()} />
      ) : (
        <>
          <p>{t('search.totalSearches', { n: intl.formatNumber(stats.data.totalSearches) })}</p>
          <DataTable
            caption={title}
            rows={stats.data.items}
            rowKey={(q) => q.query}
            empty={t(zeroResults ? 'search.noZero' : 'search.noQueries')}
            columns={[
              { key: 'q', header: t('search.query'), render: (q) => q.query },
              {
                key: 'n',
                header: t('search.searches'),
                numeric: true,
                render: (q) => intl.formatNumber(q.searches),
              },
              {
                key: 'zero',
                header: t('search.zeroSearches'),
                numeric: true,
                render: (q) => intl.formatNumber(q.zeroResultSearches),
              },
              {
                key: 'avg',
                header: t('search.averageResults'),
                numeric: true,
                render: (q) => intl.formatNumber(q.averageResults, { maximumFractionDigits: 1 }),
              },
              {
                key: 'last',
                header: t('search.lastSearched'),
                render: (q) => <DateTime value={q.lastSearchedAt} />,
              },
            ]}
          />
        </>
      )}
    </Section>
  );
}
