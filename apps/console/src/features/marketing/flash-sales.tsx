import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { ok } from '@emporia/sdk';
import { useEffect, useRef, useState } from 'react';
import { Link, useParams } from 'react-router';
import { useT } from '../../i18n';
import { api } from '../../sdk';
import { toMinor } from '../../ui/money';
import { useNotify } from '../../ui/notify';
import { Loading, Page, Section } from '../../ui/page';
import { ProblemAlert } from '../../ui/problem';
import { DataTable } from '../../ui/table';
import { DialogButton } from '../../ui/dialogs';
import { STATUS_BADGE, useFormat } from './format';
import {
  type Currency,
  DialogFormFooter,
  fromLocalInput,
  LiveNumberInput,
  type Schemas,
  toLocalInput,
  UUID,
  WindowInputs,
  windowStatus,
  SkuPriceInputs,
} from './shared';

type Sale = Schemas['FlashSaleDetailView'];
const STATUSES = ['LIVE', 'SCHEDULED', 'ENDED'] as const;
const flashKey = ['marketing', 'flash-sales'] as const;
/** How often a live sale's remaining units are read. */
const POLL_MS = 3_000;
/** At most one spoken update of the remaining units this often. */
const SAY_EVERY_MS = 10_000;

const shortId = (id: string) => id.slice(0, 8);

/**
 * Changes of remaining units, said politely and at most every 10 s (the table itself updates
 * every poll): "Sale 0199ab12: 7 left".
 */
function useRemainingAnnouncer(sales: Sale[] | undefined): string {
  const t = useT();
  const seen = useRef(new Map<string, number>());
  const pending = useRef(new Map<string, number>());
  const lastSaid = useRef(0);
  const [said, setSaid] = useState('');
  useEffect(() => {
    if (!sales) return;
    for (const s of sales) {
      const before = seen.current.get(s.id);
      const now = s.reconciliation.redisRemaining;
      if (before !== undefined && before !== now) pending.current.set(s.id, now);
      seen.current.set(s.id, now);
    }
    if (pending.current.size === 0) return;
    const timer = setTimeout(
      () => {
        if (pending.current.size === 0) return;
        setSaid(
          [...pending.current]
            .map(([id, left]) => t('marketing.flash.left', { sale: shortId(id), left }))
            .join('; '),
        );
        pending.current.clear();
        lastSaid.current = Date.now();
      },
      Math.max(0, lastSaid.current + SAY_EVERY_MS - Date.now()),
    );
    return () => clearTimeout(timer);
  }, [sales, t]);
  return said;
}

/** `/marketing/flash-sales`: the sales, their live remaining units, and a new sale. */
export function FlashSalesScreen() {
  const t = useT();
  const { money, time, number } = useFormat();
  const [status, setStatus] = useState<string>('');
  const sales = useQuery({
    queryKey: [...flashKey, status],
    queryFn: () =>
      ok(
        api.GET('/v1/admin/flash-sales', {
          params: {
            query: {
              limit: 100,
              ...(status ? { status: status as (typeof STATUSES)[number] } : {}),
            },
          },
        }),
      ),
    // poll while a sale is selling (and the tab is visible: react-query pauses in the background)
    refetchInterval: (q) =>
      q.state.data?.items.some((s) => windowStatus(s.startsAt, s.endsAt) === 'LIVE')
        ? POLL_MS
        : false,
  });
  const said = useRemainingAnnouncer(sales.data?.items);
  return (
    <Page
      title={t('nav.flashSales')}
      actions={
        <DialogButton label={t('marketing.flash.new')} title={t('marketing.flash.new')}>
          {(close) => <FlashSaleForm close={close} />}
        </DialogButton>
      }
    >
      <Section title={t('marketing.flash.list')} id="flash-sales">
        <label className="field mk-narrow">
          <span>{t('marketing.flash.filter')}</span>
          <select value={status} onChange={(e) => setStatus(e.target.value)}>
            <option value="">{t('marketing.flash.all')}</option>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {t(`marketing.status.${s}`)}
              </option>
            ))}
          </select>
        </label>
        <p className="mk-hint">{t('marketing.flash.liveHint', { seconds: POLL_MS / 1000 })}</p>
        <p role="status" className="visually-hidden">
          {said}
        </p>
        {sales.isPending ? <Loading /> : null}
        <ProblemAlert error={sales.error} onRetry={() => void sales.refetch()} />
        {sales.data ? (
          <DataTable
            caption={t('marketing.flash.list')}
            rows={sales.data.items}
            rowKey={(s) => s.id}
            empty={t('marketing.flash.empty')}
            columns={[
              {
                key: 'sale',
                header: t('marketing.flash.sale'),
                render: (s) => (
                  <Link to={`/marketing/flash-sales/${s.id}`}>
                    {t('marketing.flash.saleName', { sale: shortId(s.id) })}
                  </Link>
                ),
              },
              { key: 'sku', header: 'SKU', render: (s) => <code>{s.skuId}</code> },
              {
                key: 'price',
                header: t('marketing.flash.price'),
                numeric: true,
                render: (s) => money(s.price),
              },
              {
                key: 'remaining',
                header: t('marketing.flash.remaining'),
                numeric: true,
                render: (s) => (
                  <span data-testid={`remaining-${s.id}`}>
                    {t('marketing.flash.remainingOf', {
                      left: number(s.reconciliation.redisRemaining),
                      stock: number(s.stock),
                    })}
                  </span>
                ),
              },
              {
                key: 'held',
                header: t('marketing.flash.heldPaid'),
                numeric: true,
                render: (s) =>
                  `${number(s.reconciliation.held)} / ${number(s.reconciliation.paid)}`,
              },
              {
                key: 'limit',
                header: t('marketing.flash.perUser'),
                numeric: true,
                render: (s) => number(s.perUserLimit),
              },
              {
                key: 'window',
                header: t('marketing.promotion.window'),
                render: (s) =>
                  t('marketing.window', { from: time(s.startsAt), to: time(s.endsAt) }),
              },
              {
                key: 'status',
                header: t('app.status'),
                render: (s) => {
                  const w = windowStatus(s.startsAt, s.endsAt);
                  const soldOut = w === 'LIVE' && s.reconciliation.redisRemaining === 0;
                  return (
                    <span className={soldOut ? 'badge danger' : STATUS_BADGE[w]}>
                      {soldOut ? t('marketing.flash.soldOut') : t(`marketing.status.${w}`)}
                    </span>
                  );
                },
              },
            ]}
          />
        ) : null}
        {sales.data?.nextCursor ? <p className="mk-hint">{t('marketing.flash.more')}</p> : null}
      </Section>
    </Page>
  );
}

function FlashSaleForm({ close }: { close: () => void }) {
  const t = useT();
  const notify = useNotify();
  const queryClient = useQueryClient();
  const now = new Date();
  now.setSeconds(0, 0);
  const [skuId, setSkuId] = useState('');
  const [currency, setCurrency] = useState<Currency>('CNY');
  const [price, setPrice] = useState<number | null>(null);
  const [stock, setStock] = useState<number | null>(100);
  const [perUser, setPerUser] = useState<number | null>(1);
  const [startsAt, setStartsAt] = useState(toLocalInput(now.toISOString()));
  const [endsAt, setEndsAt] = useState(
    toLocalInput(new Date(now.getTime() + 3_600_000).toISOString()),
  );
  const [submitted, setSubmitted] = useState(false);
  const e: Record<string, string> = {};
  if (!UUID.test(skuId.trim()))
    e.skuId = t(skuId ? 'marketing.err.uuid' : 'marketing.err.required');
  if (price === null) e.price = t('marketing.err.required');
  const whole = (k: string, v: number | null) => {
    if (v === null || v < 1 || !Number.isInteger(v)) e[k] = t('marketing.err.wholeFrom1');
  };
  whole('stock', stock);
  whole('perUser', perUser);
  if (!startsAt) e.startsAt = t('marketing.err.required');
  if (!endsAt) e.endsAt = t('marketing.err.required');
  else if (startsAt && new Date(endsAt) <= new Date(startsAt)) e.endsAt = t('marketing.err.window');
  const shown = (k: string) => (submitted ? e[k] : undefined);
  const create = useMutation({
    mutationFn: () =>
      ok(
        api.POST('/v1/admin/flash-sales', {
          body: {
            skuId: skuId.trim(),
            price: { amountMinor: toMinor(price!, currency), currency },
            stock: stock!,
            perUserLimit: perUser!,
            startsAt: fromLocalInput(startsAt)!,
            endsAt: fromLocalInput(endsAt)!,
          },
        }),
      ),
    onSuccess: async (sale) => {
      notify(t('marketing.flash.created', { sale: shortId(sale.id) }));
      await queryClient.invalidateQueries({ queryKey: flashKey });
      close();
    },
  });
  return (
    <form
      noValidate
      onSubmit={(ev) => {
        ev.preventDefault();
        setSubmitted(true);
        if (Object.keys(e).length === 0) create.mutate();
      }}
    >
      <SkuPriceInputs
        priceLabel={t('marketing.flash.price')}
        skuId={skuId}
        onSkuId={setSkuId}
        currency={currency}
        onCurrency={setCurrency}
        price={price}
        onPrice={setPrice}
        skuIdError={shown('skuId')}
        priceError={shown('price')}
      />
      <div className="row">
        <LiveNumberInput
          label={t('marketing.flash.stock')}
          value={stock}
          minValue={1}
          step={1}
          onChange={setStock}
          isRequired
          error={shown('stock')}
        />
        <LiveNumberInput
          label={t('marketing.flash.perUser')}
          value={perUser}
          minValue={1}
          step={1}
          onChange={setPerUser}
          isRequired
          error={shown('perUser')}
        />
      </div>
      <WindowInputs
        startLabel={t('marketing.promotion.startsAt')}
        endLabel={t('marketing.promotion.endsAt')}
        start={startsAt}
        end={endsAt}
        onStart={setStartsAt}
        onEnd={setEndsAt}
        startError={shown('startsAt')}
        endError={shown('endsAt')}
      />
      <DialogFormFooter
        submitted={submitted}
        errorCount={Object.keys(e).length}
        error={create.error}
        pending={create.isPending}
        submitLabel={t('marketing.flash.create')}
        close={close}
      />
    </form>
  );
}

/** `/marketing/flash-sales/:id`: one sale and how its Redis pool reconciles, live while selling. */
export function FlashSaleScreen() {
  const t = useT();
  const { id = '' } = useParams();
  const { money, time, number } = useFormat();
  const sale = useQuery({
    queryKey: [...flashKey, 'one', id],
    queryFn: () => ok(api.GET('/v1/admin/flash-sales/{id}', { params: { path: { id } } })),
    refetchInterval: (q) =>
      q.state.data && windowStatus(q.state.data.startsAt, q.state.data.endsAt) === 'LIVE'
        ? POLL_MS
        : false,
  });
  const said = useRemainingAnnouncer(sale.data ? [sale.data] : undefined);
  const title = t('marketing.flash.saleName', { sale: shortId(id) });
  const s = sale.data;
  return (
    <Page
      title={title}
      actions={
        <Link className="button secondary" to="/marketing/flash-sales">
          {t('marketing.flash.back')}
        </Link>
      }
    >
      {sale.isPending ? <Loading /> : null}
      <ProblemAlert error={sale.error} onRetry={() => void sale.refetch()} />
      <p role="status" className="visually-hidden">
        {said}
      </p>
      {s ? (
        <>
          <Section title={t('marketing.flash.details')} id="flash-sale">
            <dl className="mk-facts">
              <dt>SKU</dt>
              <dd>
                <code>{s.skuId}</code>
              </dd>
              <dt>{t('marketing.flash.price')}</dt>
              <dd>{money(s.price)}</dd>
              <dt>{t('marketing.flash.stock')}</dt>
              <dd>{number(s.stock)}</dd>
              <dt>{t('marketing.flash.perUser')}</dt>
              <dd>{number(s.perUserLimit)}</dd>
              <dt>{t('marketing.promotion.window')}</dt>
              <dd>{t('marketing.window', { from: time(s.startsAt), to: time(s.endsAt) })}</dd>
              <dt>{t('app.status')}</dt>
              <dd>
                <span className={STATUS_BADGE[windowStatus(s.startsAt, s.endsAt)]}>
                  {t(`marketing.status.${windowStatus(s.startsAt, s.endsAt)}`)}
                </span>
              </dd>
            </dl>
          </Section>
          <Section title={t('marketing.flash.reconciliation')} id="reconciliation">
            <dl className="mk-facts">
              <dt>{t('marketing.flash.remaining')}</dt>
              <dd data-testid="remaining">{number(s.reconciliation.redisRemaining)}</dd>
              <dt>{t('marketing.flash.held')}</dt>
              <dd>{number(s.reconciliation.held)}</dd>
              <dt>{t('marketing.flash.paid')}</dt>
              <dd>{number(s.reconciliation.paid)}</dd>
              <dt>{t('marketing.flash.drift')}</dt>
              <dd>
                <span className={s.reconciliation.drift === 0 ? 'badge ok' : 'badge danger'}>
                  {number(s.reconciliation.drift)}
                </span>
              </dd>
            </dl>
            <p className="mk-hint">{t('marketing.flash.driftHint')}</p>
          </Section>
        </>
      ) : null}
    </Page>
  );
}
