import { useState } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { ok } from '@emporia/sdk';
import { FormattedDate } from 'react-intl';
import { Button, Form } from 'react-aria-components';
import { Link, useSearchParams } from 'react-router';
import { useT } from '../../i18n';
import { api } from '../../sdk';
import { TextInput } from '../../ui/fields';
import { Money } from '../../ui/money';
import { useNotify } from '../../ui/notify';
import { Loading, Page, Section } from '../../ui/page';
import { ProblemAlert } from '../../ui/problem';
import { DataTable } from '../../ui/table';
import { ConfirmButton } from '../../ui/dialogs';
import { orderKeys, orderReturns, type Return } from './data';
import { idOk, useIdCheck } from './list';

/** Returns are listed per order: the operator looks an order up by its id. */
export function ReturnsScreen() {
  const t = useT();
  const [params, setParams] = useSearchParams();
  const orderId = params.get('orderId') ?? '';
  const [draft, setDraft] = useState(orderId);
  const idCheck = useIdCheck();
  const queryClient = useQueryClient();
  return (
    <Page title={t('orders.returns.title')}>
      <p>{t('orders.returns.intro')}</p>
      <Section title={t('orders.returns.find')} id="returns-find">
        <Form
          validationBehavior="aria"
          onSubmit={(e) => {
            e.preventDefault();
            if (!idOk(draft) || !draft.trim()) return;
            setParams({ orderId: draft.trim() });
            // searching again reads the order's returns again (a customer may have asked since)
            if (draft.trim() === orderId)
              void queryClient.invalidateQueries({ queryKey: orderKeys.returns(orderId) });
          }}
        >
          <div className="row">
            <TextInput
              label={t('orders.orderId')}
              name="orderId"
              isRequired
              value={draft}
              onChange={setDraft}
              validate={idCheck}
            />
            <Button type="submit" className="button">
              {t('app.search')}
            </Button>
          </div>
        </Form>
      </Section>
      {orderId ? (
        <Section
          title={t('orders.returns.ofOrderId', { id: orderId.slice(0, 8) })}
          id="returns-list"
        >
          <p>
            <Link to={`/orders/${orderId}`}>{t('orders.returns.openOrder')}</Link>
          </p>
          <ReturnsTable orderId={orderId} />
        </Section>
      ) : null}
    </Page>
  );
}

function ReturnStatusBadge({ status }: { status: Return['status'] }) {
  const t = useT();
  const tone =
    status === 'REJECTED'
      ? 'danger'
      : status === 'REQUESTED' || status === 'APPROVED'
        ? 'warn'
        : 'ok';
  return <span className={`badge ${tone}`}>{t(`orders.return.${status}`)}</span>;
}

/** An order's returns with the operator's next step on each (review, then receive and refund). */
export function ReturnsTable({ orderId }: { orderId: string }) {
  const t = useT();
  const returns = useQuery({
    queryKey: orderKeys.returns(orderId),
    queryFn: () => orderReturns(orderId),
  });
  return (
    <>
      {returns.isPending ? <Loading /> : null}
      <ProblemAlert error={returns.error} onRetry={() => void returns.refetch()} />
      {returns.data ? (
        <DataTable<Return>
          caption={t('orders.returns.caption')}
          rows={returns.data}
          rowKey={(r) => r.id}
          empty={t('orders.returns.none')}
          columns={[
            {
              key: 'created',
              header: t('app.createdAt'),
              render: (r) => (
                <FormattedDate value={r.createdAt} dateStyle="medium" timeStyle="short" />
              ),
            },
            {
              key: 'kind',
              header: t('orders.returns.kind'),
              render: (r) => t(`orders.returnKind.${r.kind}`),
            },
            {
              key: 'lines',
              header: t('orders.items'),
              render: (r) =>
                r.lines.map((l) => `${l.skuId.slice(0, 8)} × ${l.quantity}`).join('，'),
            },
            { key: 'reason', header: t('orders.returns.reason'), render: (r) => r.reason },
            {
              key: 'status',
              header: t('app.status'),
              render: (r) => <ReturnStatusBadge status={r.status} />,
            },
            {
              key: 'refund',
              header: t('orders.returns.refund'),
              numeric: true,
              render: (r) => <Money value={r.refund} />,
            },
            { key: 'note', header: t('orders.returns.note'), render: (r) => r.note ?? '—' },
            {
              key: 'actions',
              header: t('app.actions'),
              render: (r) => <ReturnActions orderId={orderId} ret={r} />,
            },
          ]}
        />
      ) : null}
    </>
  );
}

function ReturnActions({ orderId, ret }: { orderId: string; ret: Return }) {
  const t = useT();
  const notify = useNotify();
  const queryClient = useQueryClient();
  const [note, setNote] = useState('');
  const refresh = () =>
    Promise.all([
      queryClient.invalidateQueries({ queryKey: orderKeys.returns(orderId) }),
      queryClient.invalidateQueries({ queryKey: orderKeys.order(orderId) }),
      queryClient.invalidateQueries({ queryKey: orderKeys.list }),
    ]);
  const review = useMutation({
    mutationFn: (approve: boolean) =>
      ok(
        api.POST('/v1/admin/returns/{id}/review', {
          params: { path: { id: ret.id } },
          body: { approve, ...(note.trim() ? { note: note.trim() } : {}) },
        }),
      ),
    onSuccess: async (_r, approve) => {
      notify(t(approve ? 'orders.returns.approved' : 'orders.returns.rejected'));
      await refresh();
    },
  });
  const receive = useMutation({
    mutationFn: () =>
      ok(api.POST('/v1/admin/returns/{id}/receive', { params: { path: { id: ret.id } } })),
    onSuccess: async (r) => {
      notify(
        t(r.kind === 'EXCHANGE' ? 'orders.returns.receivedExchange' : 'orders.returns.received'),
      );
      await refresh();
    },
  });
  if (ret.status === 'REQUESTED')
    return (
      <div className="return-actions">
        <TextInput
          label={t('orders.returns.noteFor', { id: ret.id.slice(0, 8) })}
          maxLength={500}
          value={note}
          onChange={setNote}
        />
        <ProblemAlert error={review.error} />
        <div className="row">
          <Button
            className="button"
            isDisabled={review.isPending}
            onPress={() => review.mutate(true)}
          >
            {t('orders.returns.approve')}
          </Button>
          <ConfirmButton
            danger
            label={t('orders.returns.reject')}
            title={t('orders.returns.rejectTitle')}
            confirmLabel={t('orders.returns.rejectConfirm')}
            onConfirm={() => review.mutateAsync(false)}
          >
            <p>{t('orders.returns.rejectBody')}</p>
          </ConfirmButton>
        </div>
      </div>
    );
  if (ret.status === 'APPROVED')
    return (
      <ConfirmButton
        label={t('orders.returns.receive')}
        title={t('orders.returns.receiveTitle')}
        confirmLabel={t('orders.returns.receiveConfirm')}
        onConfirm={() => receive.mutateAsync()}
      >
        <p>
          {t(
            ret.kind === 'EXCHANGE'
              ? 'orders.returns.receiveExchangeBody'
              : 'orders.returns.receiveBody',
          )}
        </p>
      </ConfirmButton>
    );
  return <>—</>;
}
