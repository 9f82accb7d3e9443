import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { ok } from '@emporia/sdk';
import { useId } from 'react';
import { useIntl } from 'react-intl';
import { useT } from '../../i18n';
import { api } from '../../sdk';
import { Money, toMajor, toMinor, type MoneyValue } from '../../ui/money';
import { ProblemAlert } from '../../ui/problem';
import {
  type Draft,
  type PreviewBody,
  scopeSkuIds,
  toUpsert,
  validateDraft,
} from './promotion-draft';
import { LiveMoneyInput, LiveNumberInput, newId, useDebounced } from './shared';

/** A line of the operator's sample cart (unit price in major units). */
export interface SampleLine {
  key: string;
  unitPrice: number | null;
  quantity: number | null;
  /** For SKU scopes: one of the scope's SKUs, or '' for another. */
  skuId: string;
  /** For category scopes: one of the scope's categories, or '' for another. */
  categoryId: string;
}

export const newSampleLine = (unitPrice: number | null = 100, quantity = 1): SampleLine => ({
  key: newId(),
  unitPrice,
  quantity,
  skuId: '',
  categoryId: '',
});

const lineOk = (l: SampleLine) =>
  l.unitPrice !== null &&
  l.unitPrice >= 0 &&
  l.quantity !== null &&
  Number.isInteger(l.quantity) &&
  l.quantity >= 1 &&
  l.quantity <= 999;

/** The preview's request, or null while the draft or the cart cannot be priced. */
function previewBody(draft: Draft, lines: SampleLine[], untitled: string): PreviewBody | null {
  const errors = validateDraft(draft);
  delete errors.name;
  if (Object.keys(errors).length > 0 || lines.length === 0 || !lines.every(lineOk)) return null;
  const upsert = toUpsert(draft);
  return {
    ...upsert,
    name: upsert.name || untitled,
    lines: lines.map((l) => ({
      unitPrice: { amountMinor: toMinor(l.unitPrice!, draft.currency), currency: draft.currency },
      quantity: l.quantity!,
      ...(draft.scopeKind === 'SKUS' && l.skuId ? { skuId: l.skuId } : {}),
      ...(draft.scopeKind === 'CATEGORIES' && l.categoryId ? { categoryId: l.categoryId } : {}),
    })),
  };
}

/**
 * The live price preview: the operator's sample cart priced by checkout's own pricing with the
 * draft as it is typed (POST /v1/admin/promotions/preview, 400 ms after the typing stops;
 * nothing is saved). The total is a polite status, read out when it settles.
 */
export function PricePreview({
  draft,
  lines,
  onLines,
  categoryNames,
}: {
  draft: Draft;
  lines: SampleLine[];
  onLines: (lines: SampleLine[]) => void;
  categoryNames: Map<string, string>;
}) {
  const t = useT();
  const intl = useIntl();
  const fmt = (m: MoneyValue) =>
    intl.formatNumber(toMajor(m), { style: 'currency', currency: m.currency });
  const headingId = useId();
  const body = useDebounced(previewBody(draft, lines, t('marketing.preview.untitled')), 400);
  const preview = useQuery({
    queryKey: ['marketing', 'promotion-preview', body],
    queryFn: () => ok(api.POST('/v1/admin/promotions/preview', { body: body! })),
    enabled: body !== null,
    placeholderData: keepPreviousData,
    staleTime: Infinity,
    retry: false,
  });
  const setLine = (key: string, patch: Partial<SampleLine>) =>
    onLines(lines.map((l) => (l.key === key ? { ...l, ...patch } : l)));
  const skuIds = scopeSkuIds(draft);
  const result = body === null ? undefined : preview.data;
  return (
    <section className="panel preview" aria-labelledby={headingId} aria-busy={preview.isFetching}>
      <h2 id={headingId}>{t('marketing.preview.title')}</h2>
      <p className="mk-hint">{t('marketing.preview.hint')}</p>
      <fieldset className="sample-cart">
        <legend>{t('marketing.preview.cart')}</legend>
        {lines.map((l, i) => (
          <div key={l.key} className="row sample-line">
            <LiveMoneyInput
              key={draft.currency}
              label={t('marketing.preview.unitPrice', { n: i + 1 })}
              currency={draft.currency}
              value={l.unitPrice}
              onChange={(v) => setLine(l.key, { unitPrice: v })}
              error={l.unitPrice === null ? t('marketing.err.required') : undefined}
            />
            <LiveNumberInput
              label={t('marketing.preview.quantity', { n: i + 1 })}
              value={l.quantity}
              minValue={1}
              maxValue={999}
              step={1}
              onChange={(v) => setLine(l.key, { quantity: v })}
              error={
                l.quantity === null || l.quantity < 1 || l.quantity > 999
                  ? t('marketing.err.quantity')
                  : undefined
              }
            />
            {draft.scopeKind === 'SKUS' ? (
              <label className="field">
                <span>{t('marketing.preview.sku', { n: i + 1 })}</span>
                <select value={l.skuId} onChange={(e) => setLine(l.key, { skuId: e.target.value })}>
                  <option value="">{t('marketing.preview.otherSku')}</option>
                  {skuIds.map((id) => (
                    <option key={id} value={id}>
                      {id}
                    </option>
                  ))}
                </select>
              </label>
            ) : null}
            {draft.scopeKind === 'CATEGORIES' ? (
              <label className="field">
                <span>{t('marketing.preview.category', { n: i + 1 })}</span>
                <select
                  value={l.categoryId}
                  onChange={(e) => setLine(l.key, { categoryId: e.target.value })}
                >
                  <option value="">{t('marketing.preview.otherCategory')}</option>
                  {draft.categoryIds.map((id) => (
                    <option key={id} value={id}>
                      {categoryNames.get(id) ?? id}
                    </option>
                  ))}
                </select>
              </label>
            ) : null}
            {lines.length > 1 ? (
              <button
                type="button"
                className="button secondary"
                onClick={() => onLines(lines.filter((x) => x.key !== l.key))}
              >
                {t('marketing.preview.removeLine', { n: i + 1 })}
              </button>
            ) : null}
          </div>
        ))}
        <button
          type="button"
          className="button secondary"
          onClick={() => onLines([...lines, newSampleLine()])}
          disabled={lines.length >= 100}
        >
          {t('marketing.preview.addLine')}
        </button>
      </fieldset>

      {body === null ? (
        <p className="mk-hint" role="status">
          {t('marketing.preview.fixFirst')}
        </p>
      ) : preview.error ? (
        <ProblemAlert error={preview.error} onRetry={() => void preview.refetch()} />
      ) : result ? (
        <>
          <dl className="preview-figures">
            <div>
              <dt>{t('marketing.preview.subtotal')}</dt>
              <dd>
                <Money value={result.subtotal} />
              </dd>
            </div>
            {result.discounts.map((x, i) => (
              <div key={i}>
                <dt>{x.promotionName}</dt>
                <dd>
                  −<Money value={x.amount} />
                  <span className="mk-hint"> {x.explanation}</span>
                </dd>
              </div>
            ))}
            {result.discounts.length === 0 ? (
              <div>
                <dt>{t('marketing.preview.discount')}</dt>
                <dd>{t('marketing.preview.noDiscount')}</dd>
              </div>
            ) : null}
            {result.gifts.map((g) => (
              <div key={g.skuId}>
                <dt>{t('marketing.preview.gift')}</dt>
                <dd>
                  {g.skuId} × {g.quantity}
                </dd>
              </div>
            ))}
            <div className="preview-total">
              <dt>{t('marketing.preview.total')}</dt>
              <dd>
                <Money value={result.total} />
              </dd>
            </div>
          </dl>
          <p role="status" className="visually-hidden">
            {t('marketing.preview.said', {
              total: fmt(result.total),
              off: fmt(result.discount),
            })}
          </p>
          <p>
            <span className={result.inForce ? 'badge ok' : 'badge warn'}>
              {result.inForce ? t('marketing.preview.inForce') : t('marketing.preview.notInForce')}
            </span>
          </p>
        </>
      ) : (
        <p className="loading">{t('app.loading')}</p>
      )}
    </section>
  );
}
