import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { ok } from '@emporia/sdk';
import { useState } from 'react';
import { Button } from 'react-aria-components';
import { Link } from 'react-router';
import { useT } from '../../i18n';
import { api } from '../../sdk';
import { useNotify } from '../../ui/notify';
import { Loading, Page, Section } from '../../ui/page';
import { ProblemAlert } from '../../ui/problem';
import { DataTable } from '../../ui/table';
import { DialogButton } from '../../ui/dialogs';
import { promotionStatus, STATUS_BADGE, useDescribeAction, useFormat } from './format';
import { campaignsKey, promotionsKey } from './promotion-editor';
import {
  CheckedTextInput,
  DateTimeInput,
  fromLocalInput,
  newId,
  type Schemas,
  toLocalInput,
  windowStatus,
} from './shared';

type Campaign = Schemas['CampaignView'];

/** `/marketing/promotions`: every promotion with its kind, window and status; the campaigns. */
export function PromotionsScreen() {
  const t = useT();
  const { time } = useFormat();
  const describe = useDescribeAction();
  const promotions = useQuery({
    queryKey: promotionsKey,
    queryFn: () => ok(api.GET('/v1/admin/promotions')),
  });
  const campaigns = useQuery({
    queryKey: campaignsKey,
    queryFn: () => ok(api.GET('/v1/admin/campaigns')),
  });
  const campaignName = new Map((campaigns.data?.items ?? []).map((c) => [c.id, c.name]));
  return (
    <Page
      title={t('nav.promotions')}
      actions={
        <Link className="button" to="/marketing/promotions/new">
          {t('marketing.promotions.new')}
        </Link>
      }
    >
      <Section title={t('marketing.promotions.list')} id="promotions">
        {promotions.isPending ? <Loading /> : null}
        <ProblemAlert error={promotions.error} onRetry={() => void promotions.refetch()} />
        {promotions.data ? (
          <DataTable
            caption={t('marketing.promotions.list')}
            rows={promotions.data.items}
            rowKey={(p) => p.id}
            empty={t('marketing.promotions.empty')}
            columns={[
              {
                key: 'name',
                header: t('marketing.promotion.name'),
                render: (p) => (
                  <Link to={`/marketing/promotions/${p.id}`}>
                    {p.name}
                    <span className="visually-hidden"> {t('marketing.promotions.edit')}</span>
                  </Link>
                ),
              },
              {
                key: 'kind',
                header: t('marketing.promotion.kind'),
                render: (p) => (
                  <>
                    <span className="badge">{t(`marketing.kind.${p.action.kind}`)}</span>{' '}
                    {describe(p.action)}
                  </>
                ),
              },
              {
                key: 'scope',
                header: t('marketing.promotion.scope'),
                render: (p) =>
                  p.scopeKind === 'CART'
                    ? t('marketing.scope.CART')
                    : t(`marketing.scope.count.${p.scopeKind}`, { count: p.scopeIds.length }),
              },
              {
                key: 'window',
                header: t('marketing.promotion.window'),
                render: (p) => (
                  <>
                    {p.startsAt || p.endsAt
                      ? t('marketing.window', {
                          from: p.startsAt ? time(p.startsAt) : t('marketing.open'),
                          to: p.endsAt ? time(p.endsAt) : t('marketing.open'),
                        })
                      : t('marketing.always')}
                    {p.campaignId ? (
                      <>
                        <br />
                        {t('marketing.promotion.inCampaign', {
                          name: campaignName.get(p.campaignId) ?? p.campaignId,
                        })}
                      </>
                    ) : null}
                  </>
                ),
              },
              {
                key: 'stacking',
                header: t('marketing.promotion.stacking'),
                render: (p) => (
                  <>
                    {t('marketing.promotion.priorityIs', { priority: p.priority })}
                    {p.exclusive ? (
                      <>
                        {' · '}
                        {t('marketing.promotion.exclusive')}
                      </>
                    ) : null}
                    {p.couponOnly ? (
                      <>
                        {' · '}
                        {t('marketing.promotion.couponOnly')}
                      </>
                    ) : null}
                  </>
                ),
              },
              {
                key: 'status',
                header: t('app.status'),
                render: (p) => {
                  const s = promotionStatus(p);
                  return <span className={STATUS_BADGE[s]}>{t(`marketing.status.${s}`)}</span>;
                },
              },
            ]}
          />
        ) : null}
      </Section>
      <CampaignsSection campaigns={campaigns} />
    </Page>
  );
}

function CampaignsSection({
  campaigns,
}: {
  campaigns: ReturnType<typeof useQuery<Schemas['CampaignList']>>;
}) {
  const t = useT();
  const { time } = useFormat();
  return (
    <Section title={t('marketing.campaigns.title')} id="campaigns">
      <p className="mk-hint">{t('marketing.campaigns.hint')}</p>
      <div className="row">
        <DialogButton label={t('marketing.campaigns.new')} title={t('marketing.campaigns.new')}>
          {(close) => <CampaignForm close={close} />}
        </DialogButton>
      </div>
      {campaigns.isPending ? <Loading /> : null}
      <ProblemAlert error={campaigns.error} onRetry={() => void campaigns.refetch()} />
      {campaigns.data ? (
        <DataTable
          caption={t('marketing.campaigns.title')}
          rows={campaigns.data.items}
          rowKey={(c) => c.id}
          empty={t('marketing.campaigns.empty')}
          columns={[
            { key: 'name', header: t('marketing.campaign.name'), render: (c) => c.name },
            {
              key: 'window',
              header: t('marketing.promotion.window'),
              render: (c) => t('marketing.window', { from: time(c.startsAt), to: time(c.endsAt) }),
            },
            {
              key: 'status',
              header: t('app.status'),
              render: (c) => {
                const s = c.active ? windowStatus(c.startsAt, c.endsAt) : 'INACTIVE';
                return <span className={STATUS_BADGE[s]}>{t(`marketing.status.${s}`)}</span>;
              },
            },
            {
              key: 'edit',
              header: t('app.actions'),
              render: (c) => (
                <DialogButton
                  className="button secondary"
                  label={t('marketing.campaigns.edit', { name: c.name })}
                  title={t('marketing.campaigns.editTitle', { name: c.name })}
                >
                  {(close) => <CampaignForm close={close} campaign={c} />}
                </DialogButton>
              ),
            },
          ]}
        />
      ) : null}
    </Section>
  );
}

function CampaignForm({ close, campaign }: { close: () => void; campaign?: Campaign }) {
  const t = useT();
  const notify = useNotify();
  const queryClient = useQueryClient();
  const [name, setName] = useState(campaign?.name ?? '');
  const [startsAt, setStartsAt] = useState(toLocalInput(campaign?.startsAt));
  const [endsAt, setEndsAt] = useState(toLocalInput(campaign?.endsAt));
  const [active, setActive] = useState(campaign?.active ?? true);
  const [submitted, setSubmitted] = useState(false);
  const errors: Record<string, string> = {};
  if (!name.trim()) errors.name = t('marketing.err.required');
  if (!startsAt) errors.startsAt = t('marketing.err.required');
  if (!endsAt) errors.endsAt = t('marketing.err.required');
  else if (startsAt && new Date(endsAt) <= new Date(startsAt))
    errors.endsAt = t('marketing.err.window');
  const shown = (k: string) => (submitted ? errors[k] : undefined);
  const save = useMutation({
    mutationFn: () =>
      ok(
        api.PUT('/v1/admin/campaigns/{id}', {
          params: { path: { id: campaign?.id ?? newId() } },
          body: {
            name: name.trim(),
            startsAt: fromLocalInput(startsAt)!,
            endsAt: fromLocalInput(endsAt)!,
            active,
          },
        }),
      ),
    onSuccess: async (c) => {
      notify(t('marketing.campaigns.saved', { name: c.name }));
      await queryClient.invalidateQueries({ queryKey: campaignsKey });
      close();
    },
  });
  return (
    <form
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        setSubmitted(true);
        if (Object.keys(errors).length === 0) save.mutate();
      }}
    >
      <CheckedTextInput
        label={t('marketing.campaign.name')}
        value={name}
        onChange={setName}
        isRequired
        error={shown('name')}
      />
      <DateTimeInput
        label={t('marketing.promotion.startsAt')}
        value={startsAt}
        onChange={setStartsAt}
        isRequired
        error={shown('startsAt')}
      />
      <DateTimeInput
        label={t('marketing.promotion.endsAt')}
        value={endsAt}
        onChange={setEndsAt}
        isRequired
        error={shown('endsAt')}
      />
      <label className="mk-check">
        <input type="checkbox" checked={active} onChange={(e) => setActive(e.target.checked)} />
        {t('marketing.campaign.active')}
      </label>
      <ProblemAlert error={save.error} />
      <div className="row mk-dialog-actions">
        <Button className="button secondary" onPress={close}>
          {t('app.cancel')}
        </Button>
        <button type="submit" className="button" disabled={save.isPending}>
          {t('app.save')}
        </button>
      </div>
    </form>
  );
}
