import { useState } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { ok } from '@emporia/sdk';
import { FormattedDate } from 'react-intl';
import { Button, Form } from 'react-aria-components';
import { Link, useSearchParams } from 'react-router';
import { useT } from '../../i18n';
import { api } from '../../sdk';
import { CheckboxInput, TextInput } from '../../ui/fields';
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
            const id = draft.trim();
            if (!idOk(id) || !id) return;
            // a search always reads the order's returns again (a customer may have asked since):
            // the cache may hold a read younger than the stale time (5 s), from this screen or
            // the order's, which a newly mounted table would show without asking again
            void queryClient.invalidateQueries({ queryKey: orderKeys.returns(id) });
            setParams({ orderId: id });
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
    status === 'REJECTED' || status === 'DISPUTED'
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
              render: (r) => (
                <>
                  <ReturnStatusBadge status={r.status} />
                  {r.itemsMismatch ? (
                    <>
                      {' '}
                      <span className="badge danger">{t('orders.returns.mismatch')}</span>
                    </>
                  ) : null}
                </>
              ),
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

/** After a step: the answer in the list at once, then everything it changed read again. */
function useReturnChanged(orderId: string) {
  const queryClient = useQueryClient();
  return (changed: Return) => {
    queryClient.setQueryData<Return[]>(orderKeys.returns(orderId), (old) =>
      old?.map((r) => (r.id === changed.id ? changed : r)),
    );
    return Promise.all([
      queryClient.invalidateQueries({ queryKey: orderKeys.returns(orderId) }),
      queryClient.invalidateQueries({ queryKey: orderKeys.order(orderId) }),
      queryClient.invalidateQueries({ queryKey: orderKeys.list }),
    ]);
  };
}

/**
 * The operator's next step on a return: a REQUESTED one approved (the goods come back),
 * refunded without the goods (仅退款) or rejected; an APPROVED one received, whole or with items
 * other than those sold (then DISPUTED); a DISPUTED one reviewed again (approve: restocked and
 * refunded or exchanged as a whole receipt; reject: REJECTED).
 */
function ReturnActions({ orderId, ret }: { orderId: string; ret: Return }) {
  const t = useT();
  const notify = useNotify();
  const changed = useReturnChanged(orderId);
  const [note, setNote] = useState('');
  const disputed = ret.status === 'DISPUTED';
  const review = useMutation({
    mutationFn: ({ approve, refundOnly }: { approve: boolean; refundOnly?: boolean }) =>
      ok(
        api.POST('/v1/admin/returns/{id}/review', {
          params: { path: { id: ret.id } },
          body: {
            approve,
            ...(note.trim() ? { note: note.trim() } : {}),
            ...(refundOnly ? { refundOnly: true } : {}),
          },
        }),
      ),
    onSuccess: async (r, { approve, refundOnly }) => {
      notify(
        t(
          !approve
            ? 'orders.returns.rejected'
            : refundOnly
              ? 'orders.returns.refundedOnly'
              : disputed
                ? r.kind === 'EXCHANGE' || r.status === 'EXCHANGED'
                  ? 'orders.returns.receivedExchange'
                  : 'orders.returns.received'
                : 'orders.returns.approved',
        ),
      );
      await changed(r);
    },
  });
  if (ret.status === 'REQUESTED' || disputed)
    return (
      <div className="return-actions">
        {disputed ? <p>{t('orders.returns.disputedHint')}</p> : null}
        <TextInput
          label={t('orders.returns.noteFor', { id: ret.id.slice(0, 8) })}
          maxLength={500}
          value={note}
          onChange={setNote}
        />
        <ProblemAlert error={review.error} />
        <div className="row">
          {disputed ? (
            <ConfirmButton
              className="button"
              label={t('orders.returns.settle')}
              title={t('orders.returns.settleTitle')}
              confirmLabel={t('orders.returns.settleConfirm')}
              onConfirm={() => review.mutateAsync({ approve: true })}
            >
              <p>
                {t(
                  ret.kind === 'EXCHANGE'
                    ? 'orders.returns.receiveExchangeBody'
                    : 'orders.returns.receiveBody',
                )}
              </p>
            </ConfirmButton>
          ) : (
            <>
              <Button
                className="button"
                isDisabled={review.isPending}
                onPress={() => review.mutate({ approve: true })}
              >
                {t('orders.returns.approve')}
              </Button>
              {ret.kind === 'REFUND' ? (
                <ConfirmButton
                  label={t('orders.returns.refundOnly')}
                  title={t('orders.returns.refundOnlyTitle')}
                  confirmLabel={t('orders.returns.refundOnlyConfirm')}
                  onConfirm={() => review.mutateAsync({ approve: true, refundOnly: true })}
                >
                  <p>{t('orders.returns.refundOnlyBody')}</p>
                </ConfirmButton>
              ) : null}
            </>
          )}
          <ConfirmButton
            danger
            label={t('orders.returns.reject')}
            title={t(
              disputed ? 'orders.returns.rejectDisputedTitle' : 'orders.returns.rejectTitle',
            )}
            confirmLabel={t('orders.returns.rejectConfirm')}
            onConfirm={() => review.mutateAsync({ approve: false })}
          >
            <p>{t(disputed ? 'orders.returns.rejectDisputedBody' : 'orders.returns.rejectBody')}</p>
          </ConfirmButton>
        </div>
      </div>
    );
  if (ret.status === 'APPROVED') return <Receive orderId={orderId} ret={ret} />;
  return <>—</>;
}

/** Receiving the parcel: whole (restocked, refunded or exchanged), or with other items (DISPUTED). */
function Receive({ orderId, ret }: { orderId: string; ret: Return }) {
  const t = useT();
  const notify = useNotify();
  const changed = useReturnChanged(orderId);
  const [mismatch, setMismatch] = useState(false);
  const [found, setFound] = useState('');
  const receive = useMutation({
    mutationFn: () =>
      ok(
        api.POST('/v1/admin/returns/{id}/receive', {
          params: { path: { id: ret.id } },
          ...(mismatch ? { body: { itemsMismatch: true, note: found.trim() } } : {}),
        }),
      ),
    onSuccess: async (r) => {
      notify(
        t(
          r.status === 'DISPUTED'
            ? 'orders.returns.disputed'
            : r.kind === 'EXCHANGE'
              ? 'orders.returns.receivedExchange'
              : 'orders.returns.received',
        ),
      );
      await changed(r);
    },
  });
  return (
    <ConfirmButton
      label={t('orders.returns.receive')}
      title={t('orders.returns.receiveTitle')}
      confirmLabel={t(mismatch ? 'orders.returns.disputeConfirm' : 'orders.returns.receiveConfirm')}
      danger={mismatch}
      canConfirm={!mismatch || found.trim().length > 0}
      onConfirm={() => receive.mutateAsync()}
    >
      <p>
        {t(
          mismatch
            ? 'orders.returns.mismatchBody'
            : ret.kind === 'EXCHANGE'
              ? 'orders.returns.receiveExchangeBody'
              : 'orders.returns.receiveBody',
        )}
      </p>
      <CheckboxInput
        label={t('orders.returns.itemsMismatch')}
        checked={mismatch}
        onChange={setMismatch}
      />
      {mismatch ? (
        <TextInput
          label={t('orders.returns.found')}
          description={t('orders.returns.foundHint')}
          multiline
          isRequired
          maxLength={500}
          value={found}
          onChange={setFound}
        />
      ) : null}
    </ConfirmButton>
  );
}
