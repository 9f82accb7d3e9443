import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { ok } from '@emporia/sdk';
import { useId, useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { useT } from '../../i18n';
import { api } from '../../sdk';
import { useNotify } from '../../ui/notify';
import { Loading, Page } from '../../ui/page';
import { ProblemAlert } from '../../ui/problem';
import { newSampleLine, PricePreview, type SampleLine } from './price-preview';
import {
  ACTION_KINDS,
  type ActionKind,
  type Draft,
  emptyDraft,
  fromView,
  newTier,
  SCOPE_KINDS,
  toUpsert,
  validateDraft,
} from './promotion-draft';
import {
  CheckedTextInput,
  CURRENCIES,
  type Currency,
  DateTimeInput,
  LiveMoneyInput,
  LiveNumberInput,
} from './shared';

export const promotionsKey = ['marketing', 'promotions'] as const;
export const campaignsKey = ['marketing', 'campaigns'] as const;

/** `/marketing/promotions/new` and `/marketing/promotions/:id`: the editor with its live preview. */
export function PromotionEditorScreen() {
  const t = useT();
  const { id } = useParams();
  const promotions = useQuery({
    queryKey: promotionsKey,
    queryFn: () => ok(api.GET('/v1/admin/promotions')),
    enabled: Boolean(id),
  });
  if (!id) return <Editor initial={emptyDraft()} isNew />;
  const title = t('marketing.editor.editTitle');
  if (promotions.isPending)
    return (
      <Page title={title}>
        <Loading />
      </Page>
    );
  if (promotions.error)
    return (
      <Page title={title}>
        <ProblemAlert error={promotions.error} onRetry={() => void promotions.refetch()} />
      </Page>
    );
  const found = promotions.data.items.find((p) => p.id === id);
  if (!found)
    return (
      <Page title={title}>
        <p role="alert">{t('marketing.editor.notFound')}</p>
        <Link to="/marketing/promotions">{t('marketing.editor.back')}</Link>
      </Page>
    );
  return <Editor key={id} initial={fromView(found)} />;
}

function Editor({ initial, isNew }: { initial: Draft; isNew?: boolean }) {
  const t = useT();
  const notify = useNotify();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [draft, setDraft] = useState(initial);
  const [lines, setLines] = useState<SampleLine[]>(() => [newSampleLine(100, 1)]);
  const [submitted, setSubmitted] = useState(false);
  const set = (patch: Partial<Draft>) => setDraft((d) => ({ ...d, ...patch }));
  const ids = useId();

  const campaigns = useQuery({
    queryKey: campaignsKey,
    queryFn: () => ok(api.GET('/v1/admin/campaigns')),
  });
  const categories = useQuery({
    queryKey: ['marketing', 'categories'],
    queryFn: () =>
      ok(api.GET('/v1/categories', { params: { query: { all: 'true', limit: 100 } } })),
    enabled: draft.scopeKind === 'CATEGORIES',
  });
  const categoryNames = new Map((categories.data?.items ?? []).map((c) => [c.id, c.name]));

  const errors = validateDraft(draft);
  // a missing value is said after the first save; a wrong one at once
  const err = (key: string) =>
    errors[key] && (submitted || errors[key] !== 'marketing.err.required')
      ? t(errors[key])
      : undefined;
  const errorCount = Object.keys(errors).length;

  const save = useMutation({
    mutationFn: () =>
      ok(
        api.PUT('/v1/admin/promotions/{id}', {
          params: { path: { id: draft.id } },
          body: toUpsert(draft),
        }),
      ),
    onSuccess: async (saved) => {
      notify(t('marketing.editor.saved', { name: saved.name }));
      await queryClient.invalidateQueries({ queryKey: promotionsKey });
      void navigate('/marketing/promotions');
    },
  });

  const setTier = (key: string, patch: Partial<Draft['tiers'][number]>) =>
    setDraft((d) => ({
      ...d,
      tiers: d.tiers.map((x) => (x.key === key ? { ...x, ...patch } : x)),
    }));

  const money = (
    key: 'amount' | 'cap' | 'every' | 'minSubtotal',
    label: string,
    description?: string,
  ) => (
    <LiveMoneyInput
      key={`${key}-${draft.currency}`}
      label={label}
      description={description}
      currency={draft.currency}
      value={draft[key]}
      onChange={(v) => set({ [key]: v })}
      error={err(key)}
    />
  );

  return (
    <Page
      title={isNew ? t('marketing.editor.newTitle') : t('marketing.editor.editTitle')}
      actions={
        <Link className="button secondary" to="/marketing/promotions">
          {t('marketing.editor.back')}
        </Link>
      }
    >
      <div className="promo-layout">
        <form
          className="promo-form"
          noValidate
          aria-label={t('marketing.editor.form')}
          onSubmit={(e) => {
            e.preventDefault();
            setSubmitted(true);
            if (errorCount === 0) save.mutate();
          }}
        >
          <section className="panel" aria-labelledby={`${ids}-basics`}>
            <h2 id={`${ids}-basics`}>{t('marketing.editor.basics')}</h2>
            <div className="row">
              <CheckedTextInput
                label={t('marketing.promotion.name')}
                value={draft.name}
                onChange={(name) => set({ name })}
                isRequired
                error={err('name')}
              />
              <label className="field">
                <span>{t('marketing.promotion.currency')}</span>
                <select
                  value={draft.currency}
                  onChange={(e) => set({ currency: e.target.value as Currency })}
                >
                  {CURRENCIES.map((c) => (
                    <option key={c} value={c}>
                      {c}
                    </option>
                  ))}
                </select>
              </label>
            </div>
            <div className="row">
              <label className="mk-check">
                <input
                  type="checkbox"
                  checked={draft.active}
                  onChange={(e) => set({ active: e.target.checked })}
                />
                {t('marketing.promotion.active')}
              </label>
              <label className="mk-check">
                <input
                  type="checkbox"
                  checked={draft.exclusive}
                  onChange={(e) => set({ exclusive: e.target.checked })}
                />
                {t('marketing.promotion.exclusive')}
              </label>
              <label className="mk-check">
                <input
                  type="checkbox"
                  checked={draft.couponOnly}
                  onChange={(e) => set({ couponOnly: e.target.checked })}
                />
                {t('marketing.promotion.couponOnly')}
              </label>
            </div>
            <LiveNumberInput
              label={t('marketing.promotion.priority')}
              description={t('marketing.promotion.priorityHint')}
              value={draft.priority}
              step={1}
              onChange={(priority) => set({ priority })}
              error={err('priority')}
            />
          </section>

          <section className="panel" aria-labelledby={`${ids}-action`}>
            <h2 id={`${ids}-action`}>{t('marketing.editor.action')}</h2>
            <label className="field">
              <span>{t('marketing.promotion.kind')}</span>
              <select
                value={draft.actionKind}
                onChange={(e) => set({ actionKind: e.target.value as ActionKind })}
              >
                {ACTION_KINDS.map((k) => (
                  <option key={k} value={k}>
                    {t(`marketing.kind.${k}`)}
                  </option>
                ))}
              </select>
            </label>

            {draft.actionKind === 'TIERED_REDUCTION' ? (
              <div className="tiers">
                <p className="mk-hint">{t('marketing.tiers.hint')}</p>
                {draft.tiers.map((tier, i) => (
                  <fieldset key={`${tier.key}-${draft.currency}`} className="tier">
                    <legend>{t('marketing.tiers.legend', { n: i + 1 })}</legend>
                    <div className="row">
                      <LiveMoneyInput
                        label={t('marketing.tiers.threshold', { n: i + 1 })}
                        currency={draft.currency}
                        value={tier.threshold}
                        onChange={(threshold) => setTier(tier.key, { threshold })}
                        error={err(`tiers.${i}.threshold`)}
                      />
                      <LiveMoneyInput
                        label={t('marketing.tiers.off', { n: i + 1 })}
                        currency={draft.currency}
                        value={tier.off}
                        onChange={(off) => setTier(tier.key, { off })}
                        error={err(`tiers.${i}.off`)}
                      />
                      {draft.tiers.length > 1 ? (
                        <button
                          type="button"
                          className="button secondary"
                          onClick={() =>
                            set({ tiers: draft.tiers.filter((x) => x.key !== tier.key) })
                          }
                        >
                          {t('marketing.tiers.remove', { n: i + 1 })}
                        </button>
                      ) : null}
                    </div>
                  </fieldset>
                ))}
                <button
                  type="button"
                  className="button secondary"
                  disabled={draft.tiers.length >= 20}
                  onClick={() => set({ tiers: [...draft.tiers, newTier()] })}
                >
                  {t('marketing.tiers.add')}
                </button>
              </div>
            ) : null}
            {draft.actionKind === 'EVERY_REDUCTION' ? (
              <div className="row">
                {money('every', t('marketing.action.every'))}
                {money('amount', t('marketing.action.everyOff'))}
                {money('cap', t('marketing.action.cap'), t('marketing.action.capHint'))}
              </div>
            ) : null}
            {draft.actionKind === 'AMOUNT_OFF'
              ? money('amount', t('marketing.action.amount'))
              : null}
            {draft.actionKind === 'MEMBER_PRICE'
              ? money('amount', t('marketing.action.memberPrice'))
              : null}
            {draft.actionKind === 'PERCENT_OFF' ? (
              <div className="row">
                <LiveNumberInput
                  label={t('marketing.action.percent')}
                  description={t('marketing.action.percentHint')}
                  value={draft.percent}
                  minValue={0}
                  maxValue={100}
                  onChange={(percent) => set({ percent })}
                  error={err('percent')}
                />
                {money('cap', t('marketing.action.cap'), t('marketing.action.capHint'))}
              </div>
            ) : null}
            {draft.actionKind === 'BUY_X_GET_Y' ? (
              <div className="row">
                <LiveNumberInput
                  label={t('marketing.action.buy')}
                  value={draft.buy}
                  minValue={1}
                  step={1}
                  onChange={(buy) => set({ buy })}
                  error={err('buy')}
                />
                <LiveNumberInput
                  label={t('marketing.action.free')}
                  value={draft.free}
                  minValue={1}
                  step={1}
                  onChange={(free) => set({ free })}
                  error={err('free')}
                />
              </div>
            ) : null}
            {draft.actionKind === 'GIFT' ? (
              <div className="row">
                <CheckedTextInput
                  label={t('marketing.action.giftSku')}
                  value={draft.giftSkuId}
                  onChange={(giftSkuId) => set({ giftSkuId })}
                  error={err('giftSkuId')}
                />
                <LiveNumberInput
                  label={t('marketing.action.giftQuantity')}
                  value={draft.giftQuantity}
                  minValue={1}
                  step={1}
                  onChange={(giftQuantity) => set({ giftQuantity })}
                  error={err('giftQuantity')}
                />
              </div>
            ) : null}
            {draft.actionKind === 'FREE_SHIPPING' ? (
              <p className="mk-hint">{t('marketing.action.freeShippingHint')}</p>
            ) : null}
          </section>

          <section className="panel" aria-labelledby={`${ids}-scope`}>
            <h2 id={`${ids}-scope`}>{t('marketing.editor.scopeAndConditions')}</h2>
            <fieldset className="mk-choices">
              <legend>{t('marketing.promotion.scope')}</legend>
              {SCOPE_KINDS.map((k) => (
                <label key={k} className="mk-check">
                  <input
                    type="radio"
                    name={`${ids}-scope-kind`}
                    value={k}
                    checked={draft.scopeKind === k}
                    onChange={() => set({ scopeKind: k })}
                  />
                  {t(`marketing.scope.${k}`)}
                </label>
              ))}
            </fieldset>
            {draft.scopeKind === 'CATEGORIES' ? (
              <fieldset
                className="mk-choices mk-scroll"
                aria-describedby={err('categoryIds') ? `${ids}-cat-err` : undefined}
              >
                <legend>{t('marketing.scope.pickCategories')}</legend>
                {categories.isPending ? <Loading /> : null}
                <ProblemAlert error={categories.error} />
                {(categories.data?.items ?? []).map((c) => (
                  <label key={c.id} className="mk-check">
                    <input
                      type="checkbox"
                      checked={draft.categoryIds.includes(c.id)}
                      onChange={(e) =>
                        set({
                          categoryIds: e.target.checked
                            ? [...draft.categoryIds, c.id]
                            : draft.categoryIds.filter((x) => x !== c.id),
                        })
                      }
                    />
                    {'— '.repeat(c.depth)}
                    {c.name}
                  </label>
                ))}
                {err('categoryIds') ? (
                  <p id={`${ids}-cat-err`} className="react-aria-FieldError">
                    {err('categoryIds')}
                  </p>
                ) : null}
              </fieldset>
            ) : null}
            {draft.scopeKind === 'SKUS' ? (
              <CheckedTextInput
                label={t('marketing.scope.skuIds')}
                description={t('marketing.scope.skuIdsHint')}
                multiline
                value={draft.skuIdsText}
                onChange={(skuIdsText) => set({ skuIdsText })}
                error={err('skuIds')}
              />
            ) : null}
            <div className="row">
              {money(
                'minSubtotal',
                t('marketing.condition.minSubtotal'),
                t('marketing.condition.minSubtotalHint'),
              )}
              <CheckedTextInput
                label={t('marketing.condition.memberTiers')}
                description={t('marketing.condition.listHint')}
                value={draft.memberTiers}
                onChange={(memberTiers) => set({ memberTiers })}
              />
              <CheckedTextInput
                label={t('marketing.condition.channels')}
                description={t('marketing.condition.listHint')}
                value={draft.channels}
                onChange={(channels) => set({ channels })}
              />
            </div>
            <label className="mk-check">
              <input
                type="checkbox"
                checked={draft.firstOrder}
                onChange={(e) => set({ firstOrder: e.target.checked })}
              />
              {t('marketing.condition.firstOrder')}
            </label>
          </section>

          <section className="panel" aria-labelledby={`${ids}-window`}>
            <h2 id={`${ids}-window`}>{t('marketing.editor.window')}</h2>
            <div className="row">
              <DateTimeInput
                label={t('marketing.promotion.startsAt')}
                description={t('marketing.promotion.openEnded')}
                value={draft.startsAt}
                onChange={(startsAt) => set({ startsAt })}
              />
              <DateTimeInput
                label={t('marketing.promotion.endsAt')}
                description={t('marketing.promotion.openEnded')}
                value={draft.endsAt}
                onChange={(endsAt) => set({ endsAt })}
                error={err('endsAt')}
              />
              <label className="field">
                <span>{t('marketing.promotion.campaign')}</span>
                <select
                  value={draft.campaignId}
                  onChange={(e) => set({ campaignId: e.target.value })}
                >
                  <option value="">{t('marketing.promotion.noCampaign')}</option>
                  {(campaigns.data?.items ?? []).map((c) => (
                    <option key={c.id} value={c.id}>
                      {c.name}
                    </option>
                  ))}
                </select>
              </label>
            </div>
            <ProblemAlert error={campaigns.error} />
          </section>

          {submitted && errorCount > 0 ? (
            <p role="alert" className="problem">
              {t('marketing.editor.fix', { count: errorCount })}
            </p>
          ) : null}
          <ProblemAlert error={save.error} />
          <div className="row">
            <button type="submit" className="button" disabled={save.isPending}>
              {t('marketing.editor.save')}
            </button>
          </div>
        </form>
        <PricePreview
          draft={draft}
          lines={lines}
          onLines={setLines}
          categoryNames={categoryNames}
        />
      </div>
    </Page>
  );
}
