import { useState } from 'react';
import { useQuery } from '@tanstack/react-query';
import { Link, useSearchParams } from 'react-router';
import { Form } from 'react-aria-components';
import { ok, type components } from '@emporia/sdk';
import { useT } from '../../i18n';
import { api } from '../../sdk';
import { NumberInput, TextInput } from '../../ui/fields';
import { Loading, Page, Section } from '../../ui/page';
import { fieldErrors, ProblemAlert } from '../../ui/problem';
import { DataTable } from '../../ui/table';
import { DateTime } from './format';

type Decision = components['schemas']['DecisionView'];
const FILTERS = ['orderId', 'accountId', 'subjectId'] as const;
type Filter = (typeof FILTERS)[number];
/** The review queue: order decisions that held an order, among the latest this many. */
const QUEUE_SCAN = 500;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function DecisionBadge({ decision }: { decision: Decision['decision'] }) {
  const t = useT();
  const tone = { ALLOW: 'ok', REVIEW: 'warn', REJECT: 'danger' }[decision];
  return <span className={`badge ${tone}`}>{t(`risk.decision.${decision}`)}</span>;
}

/** An order decision's subject links to the order; a sign-in's is the account. */
function Subject({ d }: { d: Decision }) {
  const t = useT();
  if (d.kind === 'ORDER')
    return (
      <Link to={`/orders/${d.subjectId}`} aria-label={t('risk.openOrder', { id: d.subjectId })}>
        <code>{d.subjectId}</code>
      </Link>
    );
  return <code>{d.subjectId}</code>;
}

/** What the rules saw: the values checked, the lists that matched, the counts in each window. */
export function Signals({ signals }: { signals: Decision['signals'] }) {
  const t = useT();
  if (!signals || Object.keys(signals).length === 0) return <p>{t('risk.noSignals')}</p>;
  const { values, listed, counts, ...rest } = signals as {
    values?: unknown;
    listed?: unknown;
    counts?: unknown;
    [k: string]: unknown;
  };
  const valueRows = Array.isArray(values) ? (values as { kind?: string; value?: string }[]) : [];
  const listedKinds = Array.isArray(listed) ? (listed as string[]) : [];
  const countRows =
    counts && typeof counts === 'object' ? Object.entries(counts as Record<string, unknown>) : [];
  const known = (id: string, fallback: string) => {
    const text = t(id);
    return text === id ? fallback : text;
  };
  return (
    <div className="ops-signals">
      <h3>{t('risk.signalValues')}</h3>
      {valueRows.length === 0 ? (
        <p>—</p>
      ) : (
        <dl className="ops-pairs">
          {valueRows.map((v, i) => (
            <div key={i}>
              <dt>{known(`risk.listKind.${v.kind}`, String(v.kind))}</dt>
              <dd>
                <code>{String(v.value)}</code>
              </dd>
            </div>
          ))}
        </dl>
      )}
      <h3>{t('risk.signalListed')}</h3>
      <p>
        {listedKinds.length === 0
          ? t('risk.notListed')
          : listedKinds.map((k) => (
              <span key={k} className="badge danger">
                {known(`risk.listKind.${k}`, k)}
              </span>
            ))}
      </p>
      <h3>{t('risk.signalCounts')}</h3>
      {countRows.length === 0 ? (
        <p>—</p>
      ) : (
        <dl className="ops-pairs">
          {countRows.map(([k, n]) => (
            <div key={k}>
              <dt>
                <code>{k}</code>
              </dt>
              <dd>{String(n)}</dd>
            </div>
          ))}
        </dl>
      )}
      {Object.keys(rest).length > 0 ? (
        <>
          <h3>{t('risk.signalOther')}</h3>
          <pre className="ops-json">{JSON.stringify(rest, null, 2)}</pre>
        </>
      ) : null}
    </div>
  );
}

function DecisionTable({ caption, rows }: { caption: string; rows: Decision[] }) {
  const t = useT();
  return (
    <DataTable
      caption={caption}
      rows={rows}
      rowKey={(d) => d.id}
      empty={t('risk.noDecisions')}
      columns={[
        { key: 'at', header: t('risk.decidedAt'), render: (d) => <DateTime value={d.decidedAt} /> },
        { key: 'kind', header: t('risk.subjectKind'), render: (d) => t(`risk.subject.${d.kind}`) },
        { key: 'subject', header: t('risk.subjectId'), render: (d) => <Subject d={d} /> },
        {
          key: 'decision',
          header: t('risk.decisionLabel'),
          render: (d) => <DecisionBadge decision={d.decision} />,
        },
        { key: 'score', header: t('risk.score'), numeric: true, render: (d) => d.score },
        {
          key: 'reasons',
          header: t('risk.reasons'),
          render: (d) =>
            d.reasons.length === 0 ? (
              '—'
            ) : (
              <ul className="ops-list">
                {d.reasons.map((r) => (
                  <li key={r}>
                    <code>{r}</code>
                  </li>
                ))}
              </ul>
            ),
        },
        {
          key: 'signals',
          header: t('risk.signals'),
          render: (d) => (
            <details className="ops-disclosure">
              <summary>{t('risk.showSignals')}</summary>
              <Signals signals={d.signals} />
            </details>
          ),
        },
      ]}
    />
  );
}

export function DecisionsScreen() {
  const t = useT();
  const [params, setParams] = useSearchParams();
  const filters = Object.fromEntries(
    FILTERS.flatMap((f) => (params.get(f) ? [[f, params.get(f)!]] : [])),
  ) as Partial<Record<Filter, string>>;
  const limit = Number(params.get('limit')) || 50;

  const trail = useQuery({
    queryKey: ['risk', 'decisions', filters, limit],
    queryFn: () =>
      ok(api.GET('/v1/admin/risk/decisions', { params: { query: { ...filters, limit } } })),
  });
  const queue = useQuery({
    queryKey: ['risk', 'decisions', 'review-queue'],
    queryFn: () =>
      ok(api.GET('/v1/admin/risk/decisions', { params: { query: { limit: QUEUE_SCAN } } })),
    select: (d) => d.items.filter((x) => x.kind === 'ORDER' && x.decision === 'REVIEW'),
  });

  return (
    <Page title={t('risk.decisionsTitle')}>
      <Section title={t('risk.queueTitle')} id="review-queue">
        <p>{t('risk.queueLead', { n: QUEUE_SCAN })}</p>
        {queue.isPending ? (
          <Loading />
        ) : queue.isError ? (
          <ProblemAlert error={queue.error} onRetry={() => void queue.refetch()} />
        ) : (
          <DataTable
            caption={t('risk.queueTitle')}
            rows={queue.data}
            rowKey={(d) => d.id}
            empty={t('risk.queueEmpty')}
            columns={[
              {
                key: 'at',
                header: t('risk.decidedAt'),
                render: (d) => <DateTime value={d.decidedAt} />,
              },
              {
                key: 'order',
                header: t('risk.order'),
                render: (d) => (
                  <Link to={`/orders/${d.subjectId}`}>
                    {t('risk.reviewOrder', { id: d.subjectId.slice(0, 8) })}
                  </Link>
                ),
              },
              { key: 'score', header: t('risk.score'), numeric: true, render: (d) => d.score },
              {
                key: 'reasons',
                header: t('risk.reasons'),
                render: (d) => d.reasons.join(', ') || '—',
              },
              {
                key: 'account',
                header: t('risk.account'),
                render: (d) => (
                  <Link to={`/risk/decisions?accountId=${d.accountId}`}>
                    {t('risk.accountDecisions', { id: d.accountId.slice(0, 8) })}
                  </Link>
                ),
              },
            ]}
          />
        )}
      </Section>

      <Section title={t('risk.trailTitle')} id="trail">
        <TrailFilters
          key={params.toString()}
          filters={filters}
          limit={limit}
          error={trail.error}
          onSearch={setParams}
        />
        {trail.isPending ? (
          <Loading />
        ) : trail.isError ? (
          <ProblemAlert error={trail.error} onRetry={() => void trail.refetch()} />
        ) : (
          <DecisionTable caption={t('risk.trailTitle')} rows={trail.data.items} />
        )}
      </Section>
    </Page>
  );
}

/** The audit trail's filters (the screen's address keeps them: a link can open a filtered trail). */
function TrailFilters({
  filters,
  limit,
  error,
  onSearch,
}: {
  filters: Partial<Record<Filter, string>>;
  limit: number;
  error: unknown;
  onSearch: (params: URLSearchParams) => void;
}) {
  const t = useT();
  const [draft, setDraft] = useState<Partial<Record<Filter, string>>>(filters);
  const [draftLimit, setDraftLimit] = useState(limit);
  const local: Record<string, string> = {};
  for (const f of FILTERS)
    if (draft[f] && !UUID.test(draft[f].trim())) local[f] = t('risk.notUuid');
  const setParams = onSearch;
  return (
    <Form
      className="row"
      role="search"
      aria-label={t('risk.trailFilters')}
      validationErrors={{ ...fieldErrors(error), ...local }}
      onSubmit={(e) => {
        e.preventDefault();
        if (Object.keys(local).length > 0) return;
        const next = new URLSearchParams();
        for (const f of FILTERS) if (draft[f]?.trim()) next.set(f, draft[f].trim());
        if (draftLimit !== 50 && Number.isFinite(draftLimit)) next.set('limit', String(draftLimit));
        setParams(next);
      }}
    >
      {FILTERS.map((f) => (
        <TextInput
          key={f}
          label={t(`risk.filter.${f}`)}
          name={f}
          value={draft[f] ?? ''}
          onChange={(v) => setDraft((d) => ({ ...d, [f]: v }))}
        />
      ))}
      <NumberInput
        label={t('risk.limit')}
        name="limit"
        value={draftLimit}
        onChange={setDraftLimit}
        minValue={1}
        maxValue={500}
        step={1}
      />
      <div className="field">
        <button type="submit" className="button">
          {t('app.search')}
        </button>
      </div>
      {Object.keys(filters).length > 0 ? (
        <div className="field">
          <button
            type="button"
            className="button secondary"
            onClick={() => {
              setDraft({});
              setParams(new URLSearchParams());
            }}
          >
            {t('risk.clearFilters')}
          </button>
        </div>
      ) : null}
    </Form>
  );
}
