import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useIntl } from 'react-intl';
import { isProblem, ok, type components } from '@emporia/sdk';
import { useT } from '../../i18n';
import { api } from '../../sdk';
import { useNotify } from '../../ui/notify';
import { Loading, Page, Section } from '../../ui/page';
import { ProblemAlert } from '../../ui/problem';
import { DateTime } from '../../ui/format';

type Reindex = components['schemas']['ReindexView'];
const latestKey = ['search', 'reindex', 'latest'] as const;

/** The latest reindex, or null when there has been none (404 REINDEX_NOT_FOUND). */
async function latest(): Promise<Reindex | null> {
  try {
    return await ok(api.GET('/v1/admin/search/reindex'));
  } catch (error) {
    if (isProblem(error) && error.status === 404) return null;
    throw error;
  }
}

export function ReindexScreen() {
  const t = useT();
  const notify = useNotify();
  const queryClient = useQueryClient();
  const current = useQuery({
    queryKey: latestKey,
    queryFn: latest,
    // followed every second while it runs
    refetchInterval: (q) => (q.state.data?.state === 'running' ? 1000 : false),
  });
  const start = useMutation({
    mutationFn: () => ok(api.POST('/v1/admin/search/reindex')),
    onSuccess: (r) => {
      notify(t('search.reindexStarted'));
      queryClient.setQueryData(latestKey, r);
    },
  });
  const running = current.data?.state === 'running';
  return (
    <Page title={t('search.reindexTitle')}>
      <p className="ops-lead">{t('search.reindexLead')}</p>
      <div className="row">
        <button
          type="button"
          className="button"
          disabled={running || start.isPending || current.isPending}
          onClick={() => start.mutate()}
        >
          {t('search.startReindex')}
        </button>
      </div>
      <ProblemAlert error={start.error} />
      <Section title={t('search.latestReindex')} id="latest-reindex">
        {current.isPending ? (
          <Loading />
        ) : current.isError ? (
          <ProblemAlert error={current.error} onRetry={() => void current.refetch()} />
        ) : current.data === null ? (
          <p>{t('search.noReindex')}</p>
        ) : (
          <ReindexProgress r={current.data} />
        )}
      </Section>
    </Page>
  );
}

function ReindexProgress({ r }: { r: Reindex }) {
  const t = useT();
  const intl = useIntl();
  const tone = { running: 'warn', succeeded: 'ok', failed: 'danger' }[r.state];
  const n = (x: number) => intl.formatNumber(x);
  return (
    <>
      <p role="status">
        <span className={`badge ${tone}`}>{t(`search.state.${r.state}`)}</span>{' '}
        {r.state === 'running' ? t('search.runningNote') : null}
      </p>
      {r.error ? (
        <p className="problem" role="alert">
          {r.error}
        </p>
      ) : null}
      <dl className="ops-pairs">
        <div>
          <dt>{t('search.productsIndexed')}</dt>
          <dd>{n(r.productsIndexed)}</dd>
        </div>
        <div>
          <dt>{t('search.caughtUp')}</dt>
          <dd>{n(r.caughtUp)}</dd>
        </div>
        <div>
          <dt>{t('search.batches')}</dt>
          <dd>{n(r.batches)}</dd>
        </div>
        <div>
          <dt>{t('search.targetIndex')}</dt>
          <dd>
            <code>{r.targetIndex}</code>
          </dd>
        </div>
        <div>
          <dt>{t('search.previousIndex')}</dt>
          <dd>
            <code>{r.previousIndex || '—'}</code>
          </dd>
        </div>
        <div>
          <dt>{t('search.startedAt')}</dt>
          <dd>
            <DateTime value={r.startedAt} />
          </dd>
        </div>
        <div>
          <dt>{t('search.finishedAt')}</dt>
          <dd>
            <DateTime value={r.finishedAt} />
          </dd>
        </div>
        <div>
          <dt>{t('search.reindexId')}</dt>
          <dd>
            <code>{r.id}</code>
          </dd>
        </div>
      </dl>
    </>
  );
}
