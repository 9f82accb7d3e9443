import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { ok } from '@emporia/sdk';
import { useId, useState } from 'react';
import { Button } from 'react-aria-components';
import { Link } from 'react-router';
import { useT } from '../../i18n';
import { api } from '../../sdk';
import { useNotify } from '../../ui/notify';
import { Loading, Page, Section } from '../../ui/page';
import { ProblemAlert } from '../../ui/problem';
import { DataTable } from '../../ui/table';
import { DialogButton } from '../../ui/dialogs';
import { useFormat } from './format';
import { promotionsKey } from './promotion-editor';
import {
  CheckedTextInput,
  DialogFormFooter,
  fromLocalInput,
  LiveNumberInput,
  type Schemas,
  toLocalInput,
  useTabList,
  WindowInputs,
} from './shared';

type Template = Schemas['CouponTemplateView'];
type Segment = Schemas['ExportAudienceDto']['segment'];
const SEGMENTS: Segment[] = [
  'champions',
  'loyal',
  'potential_loyalists',
  'new_customers',
  'at_risk',
  'cant_lose',
  'hibernating',
  'lost',
  'new',
  'active',
  'dormant',
  'woken_up',
];
const grantsKey = ['marketing', 'audience-grants'] as const;

/**
 * `/marketing/coupons`: coupon templates (made here: the API has no listing of them), codes
 * issued from a template, a template given to an analytics segment, and the coupons handed out
 * to segments (what the API lists).
 */
export function CouponsScreen() {
  const t = useT();
  const { time, number } = useFormat();
  const [templates, put] = useTabList<Template>('couponTemplates');
  const promotions = useQuery({
    queryKey: promotionsKey,
    queryFn: () => ok(api.GET('/v1/admin/promotions')),
  });
  const promotionName = new Map((promotions.data?.items ?? []).map((p) => [p.id, p.name]));
  const grants = useQuery({
    queryKey: grantsKey,
    queryFn: () =>
      ok(api.GET('/v1/admin/marketing/audience-grants', { params: { query: { limit: 100 } } })),
  });
  return (
    <Page
      title={t('nav.coupons')}
      actions={
        <DialogButton label={t('marketing.coupon.new')} title={t('marketing.coupon.new')}>
          {(close) => (
            <TemplateForm
              close={close}
              promotions={promotions.data?.items ?? []}
              created={(tpl) => put(tpl)}
            />
          )}
        </DialogButton>
      }
    >
      <Section title={t('marketing.coupon.templates')} id="templates">
        <p className="mk-hint">{t('marketing.coupon.templatesHint')}</p>
        <DataTable
          caption={t('marketing.coupon.templates')}
          rows={templates}
          rowKey={(x) => x.id}
          empty={t('marketing.coupon.noTemplates')}
          columns={[
            { key: 'name', header: t('marketing.coupon.name'), render: (x) => x.name },
            {
              key: 'promotion',
              header: t('marketing.coupon.promotion'),
              render: (x) => (
                <Link to={`/marketing/promotions/${x.promotionId}`}>
                  {promotionName.get(x.promotionId) ?? x.promotionId}
                </Link>
              ),
            },
            {
              key: 'issued',
              header: t('marketing.coupon.issued'),
              numeric: true,
              render: (x) => `${number(x.issued)} / ${number(x.totalLimit)}`,
            },
            {
              key: 'perUser',
              header: t('marketing.coupon.perUser'),
              numeric: true,
              render: (x) => number(x.perUserLimit),
            },
            {
              key: 'valid',
              header: t('marketing.coupon.valid'),
              render: (x) =>
                t('marketing.window', { from: time(x.validFrom), to: time(x.validTo) }),
            },
            {
              key: 'actions',
              header: t('app.actions'),
              render: (x) => (
                <div className="row">
                  <DialogButton
                    className="button secondary"
                    label={t('marketing.coupon.issue', { name: x.name })}
                    title={t('marketing.coupon.issueTitle', { name: x.name })}
                  >
                    {(close) => (
                      <IssueForm
                        template={x}
                        close={close}
                        issued={(n) => put({ ...x, issued: x.issued + n })}
                      />
                    )}
                  </DialogButton>
                  <DialogButton
                    className="button secondary"
                    label={t('marketing.coupon.give', { name: x.name })}
                    title={t('marketing.coupon.giveTitle', { name: x.name })}
                  >
                    {(close) => <AudienceForm template={x} close={close} />}
                  </DialogButton>
                </div>
              ),
            },
          ]}
        />
      </Section>
      <Section title={t('marketing.coupon.grants')} id="grants">
        {grants.isPending ? <Loading /> : null}
        <ProblemAlert error={grants.error} onRetry={() => void grants.refetch()} />
        {grants.data ? (
          <DataTable
            caption={t('marketing.coupon.grants')}
            rows={grants.data.items}
            rowKey={(g) => `${g.source}-${g.accountId}-${g.templateId}`}
            empty={t('marketing.coupon.noGrants')}
            columns={[
              {
                key: 'source',
                header: t('marketing.coupon.source'),
                render: (g) =>
                  g.source === 'cart-reminder' ? t('marketing.coupon.cartReminder') : g.source,
              },
              {
                key: 'account',
                header: t('marketing.coupon.account'),
                render: (g) => <code>{g.accountId}</code>,
              },
              {
                key: 'code',
                header: t('marketing.coupon.code'),
                render: (g) => g.couponCode ?? '—',
              },
              {
                key: 'outcome',
                header: t('app.status'),
                render: (g) => (
                  <span className={g.outcome === 'GRANTED' ? 'badge ok' : 'badge warn'}>
                    {t(`marketing.coupon.outcome.${g.outcome}`)}
                    {g.outcome === 'SKIPPED' && g.reason ? `: ${g.reason}` : ''}
                  </span>
                ),
              },
              {
                key: 'at',
                header: t('marketing.coupon.grantedAt'),
                render: (g) => time(g.grantedAt),
              },
            ]}
          />
        ) : null}
      </Section>
    </Page>
  );
}

function TemplateForm({
  close,
  promotions,
  created,
}: {
  close: () => void;
  promotions: Schemas['PromotionView'][];
  created: (t: Template) => void;
}) {
  const t = useT();
  const notify = useNotify();
  const now = new Date();
  now.setSeconds(0, 0);
  const couponOnly = promotions.filter((p) => p.couponOnly);
  const [name, setName] = useState('');
  const [promotionId, setPromotionId] = useState(couponOnly[0]?.id ?? '');
  const [total, setTotal] = useState<number | null>(1000);
  const [perUser, setPerUser] = useState<number | null>(1);
  const [validFrom, setValidFrom] = useState(toLocalInput(now.toISOString()));
  const [validTo, setValidTo] = useState(
    toLocalInput(new Date(now.getTime() + 30 * 86_400_000).toISOString()),
  );
  const [submitted, setSubmitted] = useState(false);
  const promoId = useId();
  const e: Record<string, string> = {};
  if (!name.trim()) e.name = t('marketing.err.required');
  if (!promotionId) e.promotionId = t('marketing.err.couponPromotion');
  if (total === null || total < 1 || !Number.isInteger(total))
    e.total = t('marketing.err.wholeFrom1');
  if (perUser === null || perUser < 1 || !Number.isInteger(perUser))
    e.perUser = t('marketing.err.wholeFrom1');
  if (!validFrom) e.validFrom = t('marketing.err.required');
  if (!validTo) e.validTo = t('marketing.err.required');
  else if (validFrom && new Date(validTo) <= new Date(validFrom))
    e.validTo = t('marketing.err.window');
  const shown = (k: string) => (submitted ? e[k] : undefined);
  const create = useMutation({
    mutationFn: () =>
      ok(
        api.POST('/v1/admin/coupon-templates', {
          body: {
            name: name.trim(),
            promotionId,
            totalLimit: total!,
            perUserLimit: perUser!,
            validFrom: fromLocalInput(validFrom)!,
            validTo: fromLocalInput(validTo)!,
          },
        }),
      ),
    onSuccess: (tpl) => {
      created(tpl);
      notify(t('marketing.coupon.created', { name: tpl.name }));
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
      <CheckedTextInput
        label={t('marketing.coupon.name')}
        value={name}
        onChange={setName}
        isRequired
        error={shown('name')}
      />
      <div className="field">
        <label htmlFor={promoId}>{t('marketing.coupon.promotion')}</label>
        <select
          id={promoId}
          value={promotionId}
          onChange={(ev) => setPromotionId(ev.target.value)}
          aria-describedby={`${promoId}-hint`}
          aria-invalid={shown('promotionId') ? true : undefined}
        >
          <option value="">{t('marketing.coupon.pickPromotion')}</option>
          {couponOnly.map((p) => (
            <option key={p.id} value={p.id}>
              {p.name}
            </option>
          ))}
        </select>
        <span id={`${promoId}-hint`} slot="description">
          {shown('promotionId') ?? t('marketing.coupon.promotionHint')}
        </span>
      </div>
      <div className="row">
        <LiveNumberInput
          label={t('marketing.coupon.total')}
          value={total}
          minValue={1}
          step={1}
          onChange={setTotal}
          isRequired
          error={shown('total')}
        />
        <LiveNumberInput
          label={t('marketing.coupon.perUser')}
          value={perUser}
          minValue={1}
          step={1}
          onChange={setPerUser}
          isRequired
          error={shown('perUser')}
        />
      </div>
      <WindowInputs
        startLabel={t('marketing.coupon.validFrom')}
        endLabel={t('marketing.coupon.validTo')}
        start={validFrom}
        end={validTo}
        onStart={setValidFrom}
        onEnd={setValidTo}
        startError={shown('validFrom')}
        endError={shown('validTo')}
      />
      <DialogFormFooter
        submitted={submitted}
        errorCount={Object.keys(e).length}
        error={create.error}
        pending={create.isPending}
        submitLabel={t('marketing.coupon.create')}
        close={close}
      />
    </form>
  );
}

function IssueForm({
  template,
  close,
  issued,
}: {
  template: Template;
  close: () => void;
  issued: (n: number) => void;
}) {
  const t = useT();
  const notify = useNotify();
  const [count, setCount] = useState<number | null>(10);
  const [codes, setCodes] = useState<string[] | null>(null);
  const invalid = count === null || count < 1 || count > 10_000 || !Number.isInteger(count);
  const issue = useMutation({
    mutationFn: () =>
      ok(
        api.POST('/v1/admin/coupon-templates/{id}/issue', {
          params: { path: { id: template.id } },
          body: { count: count! },
        }),
      ),
    onSuccess: (r) => {
      setCodes(r.codes);
      issued(r.codes.length);
      notify(t('marketing.coupon.issuedCodes', { count: r.codes.length }));
    },
  });
  if (codes)
    return (
      <>
        <p role="status">{t('marketing.coupon.issuedCodes', { count: codes.length })}</p>
        <CheckedTextInput
          label={t('marketing.coupon.codes')}
          description={t('marketing.coupon.codesHint')}
          multiline
          value={codes.join('\n')}
          isReadOnly
        />
        <div className="row mk-dialog-actions">
          <Button className="button" onPress={close}>
            {t('app.close')}
          </Button>
        </div>
      </>
    );
  return (
    <form
      noValidate
      onSubmit={(ev) => {
        ev.preventDefault();
        if (!invalid) issue.mutate();
      }}
    >
      <LiveNumberInput
        label={t('marketing.coupon.count')}
        description={t('marketing.coupon.countHint')}
        value={count}
        minValue={1}
        maxValue={10_000}
        step={1}
        onChange={setCount}
        error={invalid ? t('marketing.err.count') : undefined}
      />
      <ProblemAlert error={issue.error} />
      <div className="row mk-dialog-actions">
        <Button className="button secondary" onPress={close}>
          {t('app.cancel')}
        </Button>
        <button type="submit" className="button" disabled={issue.isPending || invalid}>
          {t('marketing.coupon.issueSubmit')}
        </button>
      </div>
    </form>
  );
}

function AudienceForm({ template, close }: { template: Template; close: () => void }) {
  const t = useT();
  const notify = useNotify();
  const queryClient = useQueryClient();
  const [segment, setSegment] = useState<Segment>('at_risk');
  const segId = useId();
  const give = useMutation({
    mutationFn: () =>
      ok(
        api.POST('/v1/admin/analytics/audiences', {
          body: { segment, couponTemplateId: template.id },
        }),
      ),
    onSuccess: async (r) => {
      notify(t('marketing.coupon.given', { accounts: r.accounts }));
      await queryClient.invalidateQueries({ queryKey: grantsKey });
      close();
    },
  });
  return (
    <form
      onSubmit={(ev) => {
        ev.preventDefault();
        give.mutate();
      }}
    >
      <div className="field">
        <label htmlFor={segId}>{t('marketing.coupon.segment')}</label>
        <select
          id={segId}
          value={segment}
          onChange={(ev) => setSegment(ev.target.value as Segment)}
        >
          {SEGMENTS.map((s) => (
            <option key={s} value={s}>
              {t(`marketing.segment.${s}`)}
            </option>
          ))}
        </select>
      </div>
      <p className="mk-hint">{t('marketing.coupon.giveHint')}</p>
      <ProblemAlert error={give.error} />
      <div className="row mk-dialog-actions">
        <Button className="button secondary" onPress={close}>
          {t('app.cancel')}
        </Button>
        <button type="submit" className="button" disabled={give.isPending}>
          {t('marketing.coupon.giveSubmit')}
        </button>
      </div>
    </form>
  );
}
