import { useState } from 'react';
import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { Link, useSearchParams } from 'react-router';
import { Form } from 'react-aria-components';
import { ok, type components } from '@emporia/sdk';
import { useT } from '../../i18n';
import { api } from '../../sdk';
import { NumberInput, TextInput } from '../../ui/fields';
import { Money } from '../../ui/money';
import { Loading, Page, Section } from '../../ui/page';
import { fieldErrors, ProblemAlert } from '../../ui/problem';
import { riskReason } from '../../ui/risk-reasons';
import { DataTable } from '../../ui/table';
import { DateTime } from '../../ui/format';

type Decision = components['schemas']['DecisionView'];
const FILTERS = ['orderId', 'accountId', 'subjectId'] as const;
type Filter = (typeof FILTERS)[number];
/** The latest decisions read for the review queue's scores. */
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
                  <li key={r}>{riskReason(t, r)}</li>
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
  return (
    <Page title={t('risk.decisionsTitle')}>
      <ReviewQueue />

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

/**
 * The orders held for review (newest first), each with what risk said: its reasons, and the
 * score of its decision when it is among the latest decisions. Approving or rejecting is done on
 * the order's screen.
 */
function ReviewQueue() {
  const t = useT();
  const held = useInfiniteQuery({
    queryKey: ['risk', 'review-queue'],
    queryFn: ({ pageParam }) =>
      ok(
        api.GET('/v1/admin/orders', {
          params: {
            query: {
              status: 'PENDING_REVIEW',
              limit: 50,
              ...(pageParam ? { cursor: pageParam } : {}),
            },
          },
        }),
      ),
    initialPageParam: '',
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  const scores = useQuery({
    queryKey: ['risk', 'decisions', 'latest', QUEUE_SCAN],
    queryFn: () =>
      ok(api.GET('/v1/admin/risk/decisions', { params: { query: { limit: QUEUE_SCAN } } })),
    select: (d) =>
      new Map(d.items.filter((x) => x.kind === 'ORDER').map((x) => [x.subjectId, x.score])),
  });
  const rows = held.data?.pages.flatMap((p) => p.items) ?? [];
  return (
    <Section title={t('risk.queueTitle')} id="review-queue">
      <p>{t('risk.queueLead')}</p>
      {held.isPending ? (
        <Loading />
      ) : held.isError ? (
        <ProblemAlert error={held.error} onRetry={() => void held.refetch()} />
      ) : (
        <>
          <DataTable
            caption={t('risk.queueCaption')}
            rows={rows}
            rowKey={(o) => o.id}
            empty={t('risk.queueEmpty')}
            columns={[
              {
                key: 'at',
                header: t('risk.placedAt'),
                render: (o) => <DateTime value={o.createdAt} />,
              },
              {
                key: 'order',
                header: t('risk.order'),
                render: (o) => (
                  <Link to={`/orders/${o.id}`}>
                    {t('risk.reviewOrder', { id: o.id.slice(0, 8) })}
                  </Link>
                ),
              },
              {
                key: 'total',
                header: t('risk.total'),
                numeric: true,
                render: (o) => <Money value={o.total} />,
              },
              {
                key: 'score',
                header: t('risk.score'),
                numeric: true,
                render: (o) => scores.data?.get(o.id) ?? '—',
              },
              {
                key: 'reasons',
                header: t('risk.reasons'),
                render: (o) =>
                  o.riskReasons.length > 0 ? (
                    <ul className="ops-list">
                      {o.riskReasons.map((r) => (
                        <li key={r}>{riskReason(t, r)}</li>
                      ))}
                    </ul>
                  ) : (
                    t('risk.noVerdict')
                  ),
              },
              {
                key: 'decision',
                header: t('risk.signals'),
                render: (o) => (
                  <Link to={`/risk/decisions?orderId=${o.id}`}>
                    {t('risk.decisionOf', { id: o.id.slice(0, 8) })}
                  </Link>
                ),
              },
            ]}
          />
          {held.hasNextPage ? (
            <button
              type="button"
              className="button secondary"
              disabled={held.isFetchingNextPage}
              onClick={() => void held.fetchNextPage()}
            >
              {t('app.more')}
            </button>
          ) : null}
        </>
      )}
    </Section>
  );
}
