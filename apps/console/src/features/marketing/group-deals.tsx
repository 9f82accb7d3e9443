import { useMutation, useQuery } from '@tanstack/react-query';
import { ok } from '@emporia/sdk';
import { useState } from 'react';
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
  CheckedTextInput,
  type Currency,
  DialogFormFooter,
  fromLocalInput,
  LiveNumberInput,
  type Schemas,
  toLocalInput,
  useTabList,
  UUID,
  WindowInputs,
  SkuPriceInputs,
} from './shared';

type Deal = Schemas['GroupDealView'];

/**
 * `/marketing/group-deals`: a new group deal, and the open groups of each deal made here (the
 * API lists a deal's open groups, not the deals: a deal made elsewhere is looked up by its id).
 */
export function GroupDealsScreen() {
  const t = useT();
  const notify = useNotify();
  const [deals, put, remove] = useTabList<Deal>('groupDeals');
  const [lookup, setLookup] = useState('');
  const [lookupError, setLookupError] = useState<string | undefined>();
  return (
    <Page
      title={t('nav.groupDeals')}
      actions={
        <DialogButton label={t('marketing.group.new')} title={t('marketing.group.new')}>
          {(close) => (
            <GroupDealForm
              close={close}
              created={(d) => {
                put(d);
                notify(t('marketing.group.created', { deal: d.id.slice(0, 8) }));
              }}
            />
          )}
        </DialogButton>
      }
    >
      <p className="mk-hint">{t('marketing.group.hint')}</p>
      <form
        className="row"
        noValidate
        aria-label={t('marketing.group.lookup')}
        onSubmit={(e) => {
          e.preventDefault();
          if (!UUID.test(lookup.trim())) return setLookupError(t('marketing.err.uuid'));
          setLookupError(undefined);
          put({
            id: lookup.trim(),
            skuId: '',
            price: { amountMinor: 0, currency: 'CNY' },
            groupSize: 0,
            windowSeconds: 0,
            startsAt: '',
            endsAt: '',
          });
          setLookup('');
        }}
      >
        <CheckedTextInput
          label={t('marketing.group.dealId')}
          value={lookup}
          onChange={setLookup}
          error={lookupError}
        />
        <button type="submit" className="button secondary">
          {t('marketing.group.show')}
        </button>
      </form>
      {deals.length === 0 ? <p>{t('marketing.group.none')}</p> : null}
      {deals.map((d) => (
        <DealGroups key={d.id} deal={d} onHide={() => remove(d.id)} />
      ))}
    </Page>
  );
}

function DealGroups({ deal, onHide }: { deal: Deal; onHide: () => void }) {
  const t = useT();
  const { money, time, number } = useFormat();
  const groups = useQuery({
    queryKey: ['marketing', 'group-deals', deal.id, 'groups'],
    queryFn: () =>
      ok(api.GET('/v1/group-deals/{id}/groups', { params: { path: { id: deal.id } } })),
    refetchInterval: 10_000,
  });
  const title = t('marketing.group.dealName', { deal: deal.id.slice(0, 8) });
  return (
    <Section title={title} id={`deal-${deal.id}`}>
      {deal.skuId ? (
        <dl className="mk-facts">
          <dt>ID</dt>
          <dd>
            <code data-testid="deal-id">{deal.id}</code>
          </dd>
          <dt>SKU</dt>
          <dd>
            <code>{deal.skuId}</code>
          </dd>
          <dt>{t('marketing.group.price')}</dt>
          <dd>{money(deal.price)}</dd>
          <dt>{t('marketing.group.size')}</dt>
          <dd>{number(deal.groupSize)}</dd>
          <dt>{t('marketing.group.windowMinutes')}</dt>
          <dd>{number(deal.windowSeconds / 60)}</dd>
          <dt>{t('marketing.promotion.window')}</dt>
          <dd>{t('marketing.window', { from: time(deal.startsAt), to: time(deal.endsAt) })}</dd>
        </dl>
      ) : (
        <p>
          <code data-testid="deal-id">{deal.id}</code>
        </p>
      )}
      {groups.isPending ? <Loading /> : null}
      <ProblemAlert error={groups.error} onRetry={() => void groups.refetch()} />
      {groups.data ? (
        <DataTable
          caption={t('marketing.group.groupsOf', { deal: deal.id.slice(0, 8) })}
          rows={groups.data.items}
          rowKey={(g) => g.id}
          empty={t('marketing.group.noGroups')}
          columns={[
            { key: 'id', header: t('marketing.group.group'), render: (g) => <code>{g.id}</code> },
            {
              key: 'joined',
              header: t('marketing.group.joined'),
              numeric: true,
              render: (g) => `${number(g.joined)} / ${number(g.size)}`,
            },
            {
              key: 'deadline',
              header: t('marketing.group.deadline'),
              render: (g) => time(g.deadline),
            },
            {
              key: 'status',
              header: t('app.status'),
              render: (g) => (
                <span
                  className={
                    g.status === 'OPEN'
                      ? STATUS_BADGE.LIVE
                      : g.status === 'FAILED'
                        ? 'badge danger'
                        : 'badge'
                  }
                >
                  {t(`marketing.group.status.${g.status}`)}
                </span>
              ),
            },
          ]}
        />
      ) : null}
      <button type="button" className="button secondary" onClick={onHide}>
        {t('marketing.group.hide', { deal: deal.id.slice(0, 8) })}
      </button>
    </Section>
  );
}

function GroupDealForm({ close, created }: { close: () => void; created: (d: Deal) => void }) {
  const t = useT();
  const now = new Date();
  now.setSeconds(0, 0);
  const [skuId, setSkuId] = useState('');
  const [currency, setCurrency] = useState<Currency>('CNY');
  const [price, setPrice] = useState<number | null>(null);
  const [size, setSize] = useState<number | null>(2);
  const [minutes, setMinutes] = useState<number | null>(60 * 24);
  const [startsAt, setStartsAt] = useState(toLocalInput(now.toISOString()));
  const [endsAt, setEndsAt] = useState(
    toLocalInput(new Date(now.getTime() + 7 * 86_400_000).toISOString()),
  );
  const [submitted, setSubmitted] = useState(false);
  const e: Record<string, string> = {};
  if (!UUID.test(skuId.trim()))
    e.skuId = t(skuId ? 'marketing.err.uuid' : 'marketing.err.required');
  if (price === null) e.price = t('marketing.err.required');
  if (size === null || !Number.isInteger(size) || size < 2 || size > 100)
    e.size = t('marketing.err.groupSize');
  if (minutes === null || minutes <= 0 || !Number.isInteger(minutes))
    e.minutes = t('marketing.err.wholeFrom1');
  if (!startsAt) e.startsAt = t('marketing.err.required');
  if (!endsAt) e.endsAt = t('marketing.err.required');
  else if (startsAt && new Date(endsAt) <= new Date(startsAt)) e.endsAt = t('marketing.err.window');
  const shown = (k: string) => (submitted ? e[k] : undefined);
  const create = useMutation({
    mutationFn: () =>
      ok(
        api.POST('/v1/admin/group-deals', {
          body: {
            skuId: skuId.trim(),
            price: { amountMinor: toMinor(price!, currency), currency },
            groupSize: size!,
            windowSeconds: minutes! * 60,
            startsAt: fromLocalInput(startsAt)!,
            endsAt: fromLocalInput(endsAt)!,
          },
        }),
      ),
    onSuccess: (deal) => {
      created(deal);
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
        priceLabel={t('marketing.group.price')}
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
          label={t('marketing.group.size')}
          description={t('marketing.group.sizeHint')}
          value={size}
          minValue={2}
          maxValue={100}
          step={1}
          onChange={setSize}
          isRequired
          error={shown('size')}
        />
        <LiveNumberInput
          label={t('marketing.group.windowMinutes')}
          description={t('marketing.group.windowHint')}
          value={minutes}
          minValue={1}
          step={1}
          onChange={setMinutes}
          isRequired
          error={shown('minutes')}
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
        submitLabel={t('marketing.group.create')}
        close={close}
      />
    </form>
  );
}
