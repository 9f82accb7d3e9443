import { useId, useState } from 'react';
import { useInfiniteQuery, useMutation, useQueryClient } from '@tanstack/react-query';
import { Link } from 'react-router';
import { Form, Tab, TabList, TabPanel, Tabs } from 'react-aria-components';
import { ok, type components } from '@emporia/sdk';
import { useT } from '../../i18n';
import { api } from '../../sdk';
import { useSession } from '../../session';
import { TextInput } from '../../ui/fields';
import { useNotify } from '../../ui/notify';
import { Loading, Page, Section } from '../../ui/page';
import { fieldErrors, ProblemAlert } from '../../ui/problem';
import { DataTable } from '../../ui/table';
import { DateTime } from '../../ui/format';
import {
  agentsKey,
  PriorityBadge,
  QUEUES,
  StatusBadge,
  useAgents,
  type Agent,
  type AgentTicket,
  type Queue,
} from './shared';

type Status = AgentTicket['status'];
const STATUSES: Status[] = ['OPEN', 'ASSIGNED', 'WAITING_CUSTOMER', 'BOT', 'RESOLVED', 'CLOSED'];
type ShiftBody = components['schemas']['AgentShiftDto'];

export function DeskScreen() {
  const t = useT();
  const { account, can } = useSession();
  const agents = useAgents();
  const me = agents.data?.items.find((a) => a.agentId === account?.id);
  return (
    <Page
      title={t('support.deskTitle')}
      actions={
        can('operator') ? (
          <Link className="button secondary" to="/support/kpis">
            {t('support.kpisLink')}
          </Link>
        ) : null
      }
    >
      {agents.isPending ? (
        <Loading />
      ) : agents.isError ? (
        <ProblemAlert error={agents.error} onRetry={() => void agents.refetch()} />
      ) : (
        <>
          <ShiftForm key={JSON.stringify(me ?? null)} me={me} defaultName={account?.email ?? ''} />
          {me ? (
            <Tabs className="ops-tabs">
              <TabList aria-label={t('support.queues')}>
                {me.queues.map((q) => (
                  <Tab key={q} id={q}>
                    {t(`support.queue.${q}`)}
                  </Tab>
                ))}
              </TabList>
              {me.queues.map((q) => (
                <TabPanel key={q} id={q}>
                  <QueuePanel queue={q} />
                </TabPanel>
              ))}
            </Tabs>
          ) : (
            <p className="panel">{t('support.joinFirst')}</p>
          )}
        </>
      )}
    </Page>
  );
}

/** My name, queues and whether I am on shift (round-robin assignment includes me). */
function ShiftForm({ me, defaultName }: { me: Agent | undefined; defaultName: string }) {
  const t = useT();
  const notify = useNotify();
  const queryClient = useQueryClient();
  const [displayName, setName] = useState(me?.displayName ?? defaultName.split('@')[0]);
  const [queues, setQueues] = useState<Queue[]>(me?.queues ?? ['general']);
  const [onShift, setOnShift] = useState(me?.onShift ?? false);
  const save = useMutation({
    mutationFn: (body: ShiftBody) => ok(api.PUT('/v1/agent/shift', { body })),
    onSuccess: async (a) => {
      notify(t(a.onShift ? 'support.shiftOn' : 'support.shiftSaved'));
      await queryClient.invalidateQueries({ queryKey: agentsKey });
    },
  });
  return (
    <Section title={t('support.shiftTitle')} id="shift">
      {me ? (
        <p>
          <span className={me.onShift ? 'badge ok' : 'badge'}>
            {t(me.onShift ? 'support.onShift' : 'support.offShift')}
          </span>{' '}
          {t('support.shiftHelp')}
        </p>
      ) : (
        <p>{t('support.newAgent')}</p>
      )}
      <Form
        validationErrors={fieldErrors(save.error)}
        onSubmit={(e) => {
          e.preventDefault();
          if (queues.length > 0) save.mutate({ displayName: displayName.trim(), onShift, queues });
        }}
      >
        <div className="row">
          <TextInput
            label={t('support.displayName')}
            name="displayName"
            value={displayName}
            onChange={setName}
            isRequired
            maxLength={100}
          />
          <fieldset className="ops-checks">
            <legend>{t('support.myQueues')}</legend>
            {QUEUES.map((q) => (
              <label key={q} className="ops-check">
                <input
                  type="checkbox"
                  checked={queues.includes(q)}
                  onChange={(e) =>
                    setQueues((cur) =>
                      e.target.checked ? [...cur, q] : cur.filter((x) => x !== q),
                    )
                  }
                />
                {t(`support.queue.${q}`)}
              </label>
            ))}
          </fieldset>
          <label className="ops-check">
            <input
              type="checkbox"
              checked={onShift}
              onChange={(e) => setOnShift(e.target.checked)}
            />
            {t('support.onShiftLabel')}
          </label>
        </div>
        {queues.length === 0 ? <p role="alert">{t('support.oneQueue')}</p> : null}
        <ProblemAlert error={save.error} />
        <button type="submit" className="button" disabled={save.isPending || queues.length === 0}>
          {t('support.saveShift')}
        </button>
      </Form>
    </Section>
  );
}

function QueuePanel({ queue }: { queue: Queue }) {
  const t = useT();
  const statusId = useId();
  const [status, setStatus] = useState<Status | ''>('');
  const [mine, setMine] = useState(false);
  const tickets = useInfiniteQuery({
    queryKey: ['support', 'queue', queue, status, mine],
    queryFn: ({ pageParam }) =>
      ok(
        api.GET('/v1/agent/queues/{queue}/tickets', {
          params: {
            path: { queue },
            query: {
              limit: 50,
              ...(status ? { status } : {}),
              ...(mine ? { mine: 'true' as const } : {}),
              ...(pageParam ? { cursor: pageParam } : {}),
            },
          },
        }),
      ),
    initialPageParam: '',
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    refetchInterval: 15_000,
  });
  const rows = tickets.data?.pages.flatMap((p) => p.items) ?? [];
  const caption = t('support.queueCaption', { queue: t(`support.queue.${queue}`) });
  return (
    <>
      <div className="row">
        <div className="field">
          <label htmlFor={statusId}>{t('support.statusFilter')}</label>
          <select
            id={statusId}
            value={status}
            onChange={(e) => setStatus(e.target.value as Status | '')}
          >
            <option value="">{t('support.allOpen')}</option>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {t(`support.status.${s}`)}
              </option>
            ))}
          </select>
        </div>
        <label className="ops-check">
          <input type="checkbox" checked={mine} onChange={(e) => setMine(e.target.checked)} />
          {t('support.mineOnly')}
        </label>
        <button type="button" className="button secondary" onClick={() => void tickets.refetch()}>
          {t('support.refresh')}
        </button>
      </div>
      {tickets.isPending ? (
        <Loading />
      ) : tickets.isError ? (
        <ProblemAlert error={tickets.error} onRetry={() => void tickets.refetch()} />
      ) : (
        <>
          <DataTable
            caption={caption}
            rows={rows}
            rowKey={(x) => x.id}
            empty={t('support.queueEmpty')}
            columns={[
              {
                key: 'subject',
                header: t('support.subject'),
                render: (x) => <Link to={`/support/tickets/${x.id}`}>{x.subject}</Link>,
              },
              {
                key: 'priority',
                header: t('support.priority'),
                render: (x) => <PriorityBadge priority={x.priority} />,
              },
              {
                key: 'status',
                header: t('app.status'),
                render: (x) => <StatusBadge status={x.status} />,
              },
              {
                key: 'category',
                header: t('support.category'),
                render: (x) => t(`support.category.${x.category}`),
              },
              {
                key: 'due',
                header: t('support.firstResponseDue'),
                render: (x) => (
                  <>
                    <DateTime value={x.firstResponseDueAt} />
                    {x.firstResponseBreached || x.resolutionBreached ? (
                      <>
                        {' '}
                        <span className="badge danger">{t('support.breached')}</span>
                      </>
                    ) : null}
                  </>
                ),
              },
              {
                key: 'created',
                header: t('app.createdAt'),
                render: (x) => <DateTime value={x.createdAt} />,
              },
            ]}
          />
          {tickets.hasNextPage ? (
            <button
              type="button"
              className="button secondary"
              disabled={tickets.isFetchingNextPage}
              onClick={() => void tickets.fetchNextPage()}
            >
              {t('app.more')}
            </button>
          ) : null}
        </>
      )}
    </>
  );
}
