import { useState } from 'react';
import { useInfiniteQuery } from '@tanstack/react-query';
import { FormattedDate } from 'react-intl';
import { Button, Form } from 'react-aria-components';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { useT } from '../../i18n';
import { SelectInput, TextInput } from '../../ui/fields';
import { Money } from '../../ui/money';
import { Loading, Page, Section } from '../../ui/page';
import { ProblemAlert } from '../../ui/problem';
import { riskReason } from '../../ui/risk-reasons';
import { DataTable, type Column } from '../../ui/table';
import {
  listOrders,
  ORDER_STATUSES,
  orderKeys,
  UUID,
  type AdminOrder,
  type OrderStatus,
} from './data';

const ANY = 'ANY';

export function OrderStatusBadge({ status }: { status: string }) {
  const t = useT();
  const tone =
    status === 'PENDING_REVIEW' || status === 'PENDING_PAYMENT'
      ? 'warn'
      : status === 'CANCELLED' || status === 'REFUNDED'
        ? 'danger'
        : 'ok';
  return <span className={`badge ${tone}`}>{t(`orders.status.${status}`)}</span>;
}

/**
 * An id field's check (empty, or a whole UUID), shown as the user types (`aria` validation: the
 * message comes and goes with the text, never when the field loses focus, so no button under it
 * moves while it is being clicked).
 */
export function useIdCheck() {
  const t = useT();
  return (v: string) => (v.trim() !== '' && !UUID.test(v.trim()) ? t('orders.notUuid') : null);
}

export const idOk = (v: string) => v.trim() === '' || UUID.test(v.trim());

/** A short form of an id for tables (the whole id is the link's title and the detail's). */
export const shortId = (id: string) => id.slice(0, 8);

function useOrderPages(status: OrderStatus | undefined, accountId: string | undefined) {
  return useInfiniteQuery({
    queryKey: [...orderKeys.list, status ?? ANY, accountId ?? ''],
    queryFn: ({ pageParam }) => listOrders({ status, accountId, cursor: pageParam, limit: 20 }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
}

function OrdersTable({
  caption,
  pages,
  extra = [],
  empty,
}: {
  caption: string;
  pages: ReturnType<typeof useOrderPages>;
  extra?: Column<AdminOrder>[];
  empty: string;
}) {
  const t = useT();
  const rows = pages.data?.pages.flatMap((p) => p.items) ?? [];
  return (
    <>
      {pages.isPending ? <Loading /> : null}
      <ProblemAlert error={pages.error} onRetry={() => void pages.refetch()} />
      {pages.isSuccess ? (
        <DataTable
          caption={caption}
          rows={rows}
          rowKey={(o) => o.id}
          empty={empty}
          columns={[
            {
              key: 'id',
              header: t('orders.order'),
              render: (o) => (
                <Link to={`/orders/${o.id}`} aria-label={t('orders.openOrder', { id: o.id })}>
                  <code>{shortId(o.id)}</code>
                </Link>
              ),
            },
            {
              key: 'created',
              header: t('app.createdAt'),
              render: (o) => (
                <FormattedDate value={o.createdAt} dateStyle="medium" timeStyle="short" />
              ),
            },
            {
              key: 'status',
              header: t('app.status'),
              render: (o) => <OrderStatusBadge status={o.status} />,
            },
            {
              key: 'items',
              header: t('orders.items'),
              render: (o) => o.lines.map((l) => `${l.title} × ${l.quantity}`).join('，'),
            },
            {
              key: 'total',
              header: t('orders.total'),
              numeric: true,
              render: (o) => <Money value={o.total} />,
            },
            ...extra,
          ]}
        />
      ) : null}
      {pages.hasNextPage ? (
        <button
          type="button"
          className="button secondary"
          disabled={pages.isFetchingNextPage}
          onClick={() => void pages.fetchNextPage()}
        >
          {t('app.more')}
        </button>
      ) : null}
    </>
  );
}

/** Every account's orders, by status and account; a jump to one order by its id. */
export function OrdersScreen() {
  const t = useT();
  const navigate = useNavigate();
  const [params, setParams] = useSearchParams();
  const status = (params.get('status') as OrderStatus | null) ?? undefined;
  const accountId = params.get('accountId') ?? undefined;
  const [statusDraft, setStatusDraft] = useState<string>(status ?? ANY);
  const [accountDraft, setAccountDraft] = useState(accountId ?? '');
  const [orderId, setOrderId] = useState('');
  const pages = useOrderPages(status, accountId);
  const idCheck = useIdCheck();
  return (
    <Page title={t('orders.list.title')}>
      <div className="grid">
        <Section title={t('orders.list.search')} id="orders-search">
          <Form
            validationBehavior="aria"
            onSubmit={(e) => {
              e.preventDefault();
              if (!idOk(accountDraft)) return;
              const next = new URLSearchParams();
              if (statusDraft !== ANY) next.set('status', statusDraft);
              if (accountDraft.trim()) next.set('accountId', accountDraft.trim());
              setParams(next);
            }}
          >
            <SelectInput
              label={t('app.status')}
              options={[
                { id: ANY, label: t('orders.anyStatus') },
                ...ORDER_STATUSES.map((s) => ({ id: s, label: t(`orders.status.${s}`) })),
              ]}
              value={statusDraft}
              onChange={setStatusDraft}
            />
            <TextInput
              label={t('orders.accountId')}
              description={t('orders.accountIdHint')}
              name="accountId"
              value={accountDraft}
              onChange={setAccountDraft}
              validate={idCheck}
            />
            <Button type="submit" className="button">
              {t('app.search')}
            </Button>
          </Form>
        </Section>
        <Section title={t('orders.list.open')} id="orders-open">
          <Form
            validationBehavior="aria"
            onSubmit={(e) => {
              e.preventDefault();
              if (idOk(orderId) && orderId.trim()) void navigate(`/orders/${orderId.trim()}`);
            }}
          >
            <TextInput
              label={t('orders.orderId')}
              name="orderId"
              isRequired
              value={orderId}
              onChange={setOrderId}
              validate={idCheck}
            />
            <Button type="submit" className="button secondary">
              {t('orders.list.openSubmit')}
            </Button>
          </Form>
        </Section>
      </div>
      <OrdersTable
        caption={t('orders.list.caption')}
        pages={pages}
        empty={t('orders.list.empty')}
        extra={[
          {
            key: 'account',
            header: t('orders.account'),
            render: (o) => (
              <Link to={`/orders?accountId=${o.accountId}`} title={o.accountId}>
                <code>{shortId(o.accountId)}</code>
              </Link>
            ),
          },
        ]}
      />
    </Page>
  );
}

/** The orders risk held for an operator's review, with the reasons. */
export function HeldOrdersScreen() {
  const t = useT();
  const pages = useOrderPages('PENDING_REVIEW', undefined);
  return (
    <Page title={t('orders.held.title')}>
      <p>{t('orders.held.intro')}</p>
      <OrdersTable
        caption={t('orders.held.caption')}
        pages={pages}
        empty={t('orders.held.empty')}
        extra={[
          {
            key: 'reasons',
            header: t('orders.riskReasons'),
            render: (o) =>
              o.riskReasons.length ? (
                <ul className="plain">
                  {o.riskReasons.map((r) => (
                    <li key={r}>{riskReason(t, r)}</li>
                  ))}
                </ul>
              ) : (
                '—'
              ),
          },
          {
            key: 'review',
            header: t('app.actions'),
            render: (o) => (
              <Link className="button secondary" to={`/orders/${o.id}`}>
                {t('orders.held.review', { id: shortId(o.id) })}
              </Link>
            ),
          },
        ]}
      />
    </Page>
  );
}
