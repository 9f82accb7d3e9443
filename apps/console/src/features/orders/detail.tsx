import { useState } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { ok } from '@emporia/sdk';
import { FormattedDate } from 'react-intl';
import { Button, Form } from 'react-aria-components';
import { Link, useParams } from 'react-router';
import { useT } from '../../i18n';
import { api } from '../../sdk';
import { SelectInput, TextInput } from '../../ui/fields';
import { Money } from '../../ui/money';
import { useNotify } from '../../ui/notify';
import { Loading, Page, Section } from '../../ui/page';
import { ProblemAlert } from '../../ui/problem';
import { riskReason } from '../../ui/risk-reasons';
import { DataTable } from '../../ui/table';
import { ConfirmButton, DialogButton, FormActions } from '../../ui/dialogs';
import {
  CARRIERS,
  getOrder,
  orderKeys,
  orderShipments,
  type AdminOrder,
  type Decision,
  type Shipment,
} from './data';
import { OrderStatusBadge } from './list';
import { ReturnsTable } from './returns';

/** One order for an operator: what was bought, where it goes, risk, review, shipping, returns. */
export function OrderDetailScreen() {
  const t = useT();
  const { id = '' } = useParams();
  const order = useQuery({ queryKey: orderKeys.order(id), queryFn: () => getOrder(id) });
  const o = order.data;
  return (
    <Page title={t('orders.detail.title', { id: id.slice(0, 8) })}>
      <p>
        <Link to="/orders">{t('orders.detail.back')}</Link>
      </p>
      {order.isPending ? <Loading /> : null}
      <ProblemAlert error={order.error} onRetry={() => void order.refetch()} />
      {o ? (
        <>
          <Summary order={o} />
          {o.status === 'PENDING_REVIEW' ? <Review order={o} /> : null}
          <Lines order={o} />
          <RiskDecisions order={o} />
          <Shipments order={o} />
          <Section title={t('orders.returns.ofOrder')} id="order-returns">
            <ReturnsTable orderId={o.id} />
          </Section>
        </>
      ) : null}
    </Page>
  );
}

function Summary({ order }: { order: AdminOrder }) {
  const t = useT();
  const a = order.address;
  const when = (v: string | null) =>
    v ? <FormattedDate value={v} dateStyle="medium" timeStyle="medium" /> : '—';
  return (
    <div className="grid">
      <Section title={t('orders.detail.summary')} id="order-summary">
        <dl className="facts">
          <dt>{t('orders.orderId')}</dt>
          <dd>
            <code>{order.id}</code>
          </dd>
          <dt>{t('app.status')}</dt>
          <dd>
            <OrderStatusBadge status={order.status} />
          </dd>
          <dt>{t('orders.account')}</dt>
          <dd>
            <Link to={`/orders?accountId=${order.accountId}`}>
              <code>{order.accountId}</code>
            </Link>
          </dd>
          <dt>{t('orders.total')}</dt>
          <dd>
            <Money value={order.total} />
          </dd>
          {order.cancelReason ? (
            <>
              <dt>{t('orders.detail.cancelReason')}</dt>
              <dd>{order.cancelReason}</dd>
            </>
          ) : null}
          {order.groupStatus ? (
            <>
              <dt>{t('orders.detail.group')}</dt>
              <dd>{t(`orders.group.${order.groupStatus}`)}</dd>
            </>
          ) : null}
        </dl>
      </Section>
      <Section title={t('orders.detail.timeline')} id="order-timeline">
        <ol className="timeline">
          <li>
            {t('orders.detail.placed')} {when(order.createdAt)}
          </li>
          {order.status === 'PENDING_PAYMENT' || order.status === 'PENDING_REVIEW' ? (
            <li>
              {t('orders.detail.payBy')} {when(order.paymentDeadline)}
            </li>
          ) : null}
          {order.paidAt ? (
            <li>
              {t('orders.detail.paid')} {when(order.paidAt)}
            </li>
          ) : null}
          <li>
            {t('orders.detail.lastChange', { status: t(`orders.status.${order.status}`) })}{' '}
            {when(order.updatedAt)}
          </li>
        </ol>
      </Section>
      <Section title={t('orders.detail.address')} id="order-address">
        <address>
          {a.recipient} · {a.phone}
          <br />
          {[a.country, a.province, a.city, a.district].filter(Boolean).join(' ')}
          {a.provinceCode ? (
            <>
              <br />
              <small className="mk-hint">
                {t('orders.detail.regionCodes', {
                  codes: [a.provinceCode, a.cityCode, a.districtCode].filter(Boolean).join(' / '),
                })}
              </small>
            </>
          ) : null}
          <br />
          {a.line1}
          {a.line2 ? (
            <>
              <br />
              {a.line2}
            </>
          ) : null}
          {a.postalCode ? (
            <>
              <br />
              {a.postalCode}
            </>
          ) : null}
        </address>
      </Section>
    </div>
  );
}

function Lines({ order }: { order: AdminOrder }) {
  const t = useT();
  return (
    <Section title={t('orders.detail.lines')} id="order-lines">
      <DataTable
        caption={t('orders.detail.lines')}
        rows={order.lines}
        rowKey={(l) => l.skuId}
        columns={[
          {
            key: 'title',
            header: t('orders.detail.product'),
            render: (l) => <Link to={`/catalog/products/${l.productId}`}>{l.title}</Link>,
          },
          {
            key: 'qty',
            header: t('orders.detail.quantity'),
            numeric: true,
            render: (l) => l.quantity,
          },
          {
            key: 'unit',
            header: t('orders.detail.unitPrice'),
            numeric: true,
            render: (l) => <Money value={l.unitPrice} />,
          },
          {
            key: 'discount',
            header: t('orders.detail.discount'),
            numeric: true,
            render: (l) => <Money value={l.discount} />,
          },
          {
            key: 'total',
            header: t('orders.detail.lineTotal'),
            numeric: true,
            render: (l) => <Money value={l.total} />,
          },
        ]}
      />
      <dl className="facts amounts">
        <dt>{t('orders.detail.subtotal')}</dt>
        <dd>
          <Money value={order.subtotal} />
        </dd>
        <dt>{t('orders.detail.discount')}</dt>
        <dd>
          <Money value={order.discount} />
        </dd>
        <dt>{t('orders.detail.shipping')}</dt>
        <dd>
          <Money value={order.shipping} />
        </dd>
        <dt>{t('orders.total')}</dt>
        <dd>
          <strong>
            <Money value={order.total} />
          </strong>
        </dd>
      </dl>
      {order.priceExplanation.length > 0 ? (
        <>
          <h3>{t('orders.detail.explanation')}</h3>
          <ul>
            {order.priceExplanation.map((e, i) => (
              <li key={i}>{e}</li>
            ))}
          </ul>
        </>
      ) : null}
    </Section>
  );
}

function useRefreshOrder(id: string) {
  const queryClient = useQueryClient();
  return (fresh?: AdminOrder) => {
    if (fresh) queryClient.setQueryData(orderKeys.order(id), fresh);
    return Promise.all([
      queryClient.invalidateQueries({ queryKey: orderKeys.order(id) }),
      queryClient.invalidateQueries({ queryKey: orderKeys.list }),
      queryClient.invalidateQueries({ queryKey: orderKeys.shipments(id) }),
      queryClient.invalidateQueries({ queryKey: orderKeys.returns(id) }),
    ]);
  };
}

function Review({ order }: { order: AdminOrder }) {
  const t = useT();
  const notify = useNotify();
  const refresh = useRefreshOrder(order.id);
  const [note, setNote] = useState('');
  const review = useMutation({
    mutationFn: (approve: boolean) =>
      ok(
        api.POST('/v1/admin/orders/{id}/review', {
          params: { path: { id: order.id } },
          body: { approve, ...(note.trim() ? { note: note.trim() } : {}) },
        }),
      ),
    onSuccess: async (o, approve) => {
      notify(t(approve ? 'orders.review.approved' : 'orders.review.rejected'));
      await refresh(o);
    },
  });
  return (
    <Section title={t('orders.review.title')} id="order-review">
      <p>{t('orders.review.intro')}</p>
      {order.riskReasons.length > 0 ? (
        <ul aria-label={t('orders.riskReasons')}>
          {order.riskReasons.map((r) => (
            <li key={r}>{riskReason(t, r)}</li>
          ))}
        </ul>
      ) : null}
      <TextInput
        label={t('orders.review.note')}
        description={t('orders.review.noteHint')}
        multiline
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
          {t('orders.review.approve')}
        </Button>
        <ConfirmButton
          danger
          label={t('orders.review.reject')}
          title={t('orders.review.rejectTitle')}
          confirmLabel={t('orders.review.rejectConfirm')}
          onConfirm={() => review.mutateAsync(false)}
        >
          <p>{t('orders.review.rejectBody')}</p>
        </ConfirmButton>
      </div>
    </Section>
  );
}

function Signals({ signals }: { signals: Record<string, unknown> }) {
  const entries = Object.entries(signals);
  if (entries.length === 0) return <>—</>;
  return (
    <dl className="signals">
      {entries.map(([k, v]) => (
        <div key={k}>
          <dt>{k}</dt>
          <dd>
            {v !== null && typeof v === 'object' && !Array.isArray(v) ? (
              <Signals signals={v as Record<string, unknown>} />
            ) : (
              <code>{Array.isArray(v) ? v.join(', ') || '[]' : String(v)}</code>
            )}
          </dd>
        </div>
      ))}
    </dl>
  );
}

function RiskDecisions({ order }: { order: AdminOrder }) {
  const t = useT();
  const decisions = useQuery({
    queryKey: orderKeys.decisions(order.id),
    queryFn: () =>
      ok(
        api.GET('/v1/admin/risk/decisions', {
          params: { query: { orderId: order.id, limit: 20 } },
        }),
      ),
  });
  return (
    <Section title={t('orders.risk.title')} id="order-risk">
      <p>
        {t('orders.risk.atCheckout', { decision: order.riskDecision || '—' })}{' '}
        {order.riskReasons.map((r) => riskReason(t, r)).join('，')}
      </p>
      {decisions.isPending ? <Loading /> : null}
      <ProblemAlert error={decisions.error} onRetry={() => void decisions.refetch()} />
      {decisions.data ? (
        <DataTable<Decision>
          caption={t('orders.risk.caption')}
          rows={decisions.data.items}
          rowKey={(d) => d.id}
          empty={t('orders.risk.none')}
          columns={[
            {
              key: 'at',
              header: t('orders.risk.decidedAt'),
              render: (d) => (
                <FormattedDate value={d.decidedAt} dateStyle="medium" timeStyle="medium" />
              ),
            },
            {
              key: 'decision',
              header: t('orders.risk.decision'),
              render: (d) => (
                <span
                  className={`badge ${d.decision === 'ALLOW' ? 'ok' : d.decision === 'REVIEW' ? 'warn' : 'danger'}`}
                >
                  {t(`orders.decision.${d.decision}`)}
                </span>
              ),
            },
            { key: 'score', header: t('orders.risk.score'), numeric: true, render: (d) => d.score },
            {
              key: 'reasons',
              header: t('orders.riskReasons'),
              render: (d) => d.reasons.map((r) => riskReason(t, r)).join('，') || '—',
            },
            {
              key: 'signals',
              header: t('orders.risk.signals'),
              render: (d) => <Signals signals={d.signals ?? {}} />,
            },
          ]}
        />
      ) : null}
    </Section>
  );
}

function Shipments({ order }: { order: AdminOrder }) {
  const t = useT();
  const waiting = order.status === 'PAID';
  const shipments = useQuery({
    queryKey: orderKeys.shipments(order.id),
    queryFn: () => orderShipments(order.id),
    // a paid order's shipments are planned right after its payment: look again until they are
    refetchInterval: (q) => (waiting && (q.state.data?.length ?? 0) === 0 ? 2000 : false),
  });
  return (
    <Section title={t('orders.shipments.title')} id="order-shipments">
      {shipments.isPending ? <Loading /> : null}
      <ProblemAlert error={shipments.error} onRetry={() => void shipments.refetch()} />
      {shipments.data ? (
        <DataTable<Shipment>
          caption={t('orders.shipments.caption')}
          rows={shipments.data}
          rowKey={(s) => s.id}
          empty={waiting ? t('orders.shipments.planning') : t('orders.shipments.none')}
          columns={[
            {
              key: 'wh',
              header: t('orders.shipments.warehouse'),
              render: (s) => <code>{s.warehouseCode}</code>,
            },
            {
              key: 'lines',
              header: t('orders.items'),
              render: (s) =>
                s.lines
                  .map((l) => {
                    const line = order.lines.find((x) => x.skuId === l.skuId);
                    return `${line?.title ?? l.skuId} × ${l.quantity}`;
                  })
                  .join('，'),
            },
            {
              key: 'status',
              header: t('app.status'),
              render: (s) => (
                <span
                  className={`badge ${s.status === 'EXCEPTION' ? 'danger' : s.status === 'PENDING' ? 'warn' : 'ok'}`}
                >
                  {t(`orders.shipment.${s.status}`)}
                </span>
              ),
            },
            {
              key: 'tracking',
              header: t('orders.shipments.tracking'),
              render: (s) =>
                s.trackingNumber ? (
                  <>
                    {(CARRIERS as readonly string[]).includes(s.carrier ?? '')
                      ? t(`orders.carrier.${s.carrier}`)
                      : s.carrier}{' '}
                    <code>{s.trackingNumber}</code>
                  </>
                ) : (
                  '—'
                ),
            },
            {
              key: 'events',
              header: t('orders.shipments.events'),
              render: (s) =>
                s.events.length ? (
                  <ul className="plain">
                    {s.events.map((e) => (
                      <li key={e.eventId}>
                        <FormattedDate value={e.occurredAt} dateStyle="short" timeStyle="short" />{' '}
                        {e.status} {e.description}
                      </li>
                    ))}
                  </ul>
                ) : (
                  '—'
                ),
            },
            {
              key: 'actions',
              header: t('app.actions'),
              render: (s) =>
                s.status === 'PENDING' ? (
                  <DialogButton
                    label={t('orders.ship.button', { warehouse: s.warehouseCode })}
                    title={t('orders.ship.title', { warehouse: s.warehouseCode })}
                  >
                    {(close) => <Ship order={order} shipment={s} onDone={close} />}
                  </DialogButton>
                ) : null,
            },
          ]}
        />
      ) : null}
    </Section>
  );
}

function Ship({
  order,
  shipment,
  onDone,
}: {
  order: AdminOrder;
  shipment: Shipment;
  onDone: () => void;
}) {
  const t = useT();
  const notify = useNotify();
  const refresh = useRefreshOrder(order.id);
  const [carrier, setCarrier] = useState<string | null>('sf');
  const [tracking, setTracking] = useState('');
  const ship = useMutation({
    mutationFn: () =>
      ok(
        api.POST('/v1/admin/shipments/{id}/ship', {
          params: { path: { id: shipment.id } },
          body: { carrier: carrier ?? '', trackingNumber: tracking.trim() },
        }),
      ),
    onSuccess: async (s) => {
      notify(
        t('orders.ship.done', { warehouse: s.warehouseCode, tracking: s.trackingNumber ?? '' }),
      );
      await refresh();
      onDone();
    },
  });
  return (
    <Form
      validationBehavior="aria"
      onSubmit={(e) => {
        e.preventDefault();
        ship.mutate();
      }}
    >
      <SelectInput
        label={t('orders.ship.carrier')}
        name="carrier"
        isRequired
        options={CARRIERS.map((c) => ({ id: c, label: t(`orders.carrier.${c}`) }))}
        value={carrier}
        onChange={setCarrier}
      />
      <TextInput
        label={t('orders.ship.trackingNumber')}
        name="trackingNumber"
        isRequired
        minLength={4}
        maxLength={64}
        value={tracking}
        onChange={setTracking}
      />
      <FormActions
        error={ship.error}
        pending={ship.isPending}
        submitLabel={t('orders.ship.submit')}
        onCancel={onDone}
      />
    </Form>
  );
}
