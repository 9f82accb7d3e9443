import { useState, type ReactNode } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useIntl } from 'react-intl';
import { Button, Dialog, DialogTrigger, Form, Heading, Modal } from 'react-aria-components';
import { ok, type components } from '@emporia/sdk';
import { useT } from '../../i18n';
import { api } from '../../sdk';
import { MoneyInput, NumberInput, SelectInput, TextInput } from '../../ui/fields';
import { Money, toMajor, toMinor } from '../../ui/money';
import { useNotify } from '../../ui/notify';
import { Loading, Page } from '../../ui/page';
import { fieldErrors, ProblemAlert } from '../../ui/problem';
import { DataTable } from '../../ui/table';
import { Duration } from '../../ui/format';

type Rule = components['schemas']['RuleView'];
type RuleBody = components['schemas']['UpsertRuleDto'];
type ListKind = NonNullable<Rule['listKind']>;
type Dimension = NonNullable<Rule['dimension']>;

export const LIST_KINDS: ListKind[] = ['ACCOUNT', 'DEVICE', 'IP', 'ADDRESS', 'PHONE'];
const DIMENSIONS: Dimension[] = ['ACCOUNT', 'IP', 'ADDRESS', 'DEVICE'];

/** The parameters each rule kind uses (README "Risk control", apps/risk/README.md). */
const USES: Record<
  Rule['kind'],
  {
    listKind?: true;
    dimension?: Dimension[];
    window?: true;
    threshold?: true;
    amount?: true;
    delivery?: true;
  }
> = {
  LIST_MATCH: { listKind: true },
  VELOCITY: { dimension: DIMENSIONS, window: true, threshold: true },
  AMOUNT: { amount: true },
  BRUSHING: { amount: true, window: true, threshold: true },
  COUPON_ABUSE: { dimension: ['DEVICE', 'ADDRESS'], window: true, threshold: true },
  LOGIN_ANOMALY: { window: true },
  LOGIN_VELOCITY: { dimension: ['IP', 'ACCOUNT'], window: true, threshold: true },
  NEW_ACCOUNT: { window: true },
  BULK_AFTER_DELIVERY: { window: true, threshold: true, delivery: true },
};

const rulesKey = ['risk', 'rules'] as const;

/** What GET shows, as PUT takes it back (the kind's unused fields left out). */
function bodyOf(rule: Rule): RuleBody {
  return {
    name: rule.name,
    kind: rule.kind,
    appliesTo: rule.appliesTo,
    action: rule.action,
    score: rule.score,
    active: rule.active,
    ...(rule.listKind ? { listKind: rule.listKind } : {}),
    ...(rule.dimension ? { dimension: rule.dimension } : {}),
    windowSeconds: rule.windowSeconds,
    threshold: rule.threshold,
    deliveryWindowSeconds: rule.deliveryWindowSeconds,
    amount: rule.amount,
  };
}

function saveRule(id: string, body: RuleBody) {
  return ok(api.PUT('/v1/admin/risk/rules/{id}', { params: { path: { id } }, body }));
}

/** The parameters of a rule in words: list, dimension, window, threshold, amount. */
function RuleParameters({ rule }: { rule: Rule }) {
  const t = useT();
  const parts: ReactNode[] = [];
  if (rule.listKind)
    parts.push(t('risk.param.list', { list: t(`risk.listKind.${rule.listKind}`) }));
  if (rule.dimension)
    parts.push(t('risk.param.dimension', { dimension: t(`risk.dimension.${rule.dimension}`) }));
  if (rule.threshold != null) parts.push(t('risk.param.threshold', { n: rule.threshold }));
  if (rule.windowSeconds != null)
    parts.push(
      <span key="w">
        {t('risk.param.window')} <Duration seconds={rule.windowSeconds} />
      </span>,
    );
  if (rule.deliveryWindowSeconds != null)
    parts.push(
      <span key="d">
        {t('risk.param.delivery')} <Duration seconds={rule.deliveryWindowSeconds} />
      </span>,
    );
  if (rule.amount)
    parts.push(
      <span key="a">
        {t('risk.param.amount')} <Money value={rule.amount} />
      </span>,
    );
  if (parts.length === 0) return <>—</>;
  return (
    <ul className="ops-list">
      {parts.map((p, i) => (
        <li key={i}>{p}</li>
      ))}
    </ul>
  );
}

export function RulesScreen() {
  const t = useT();
  const notify = useNotify();
  const queryClient = useQueryClient();
  const rules = useQuery({
    queryKey: rulesKey,
    queryFn: () => ok(api.GET('/v1/admin/risk/rules')),
  });
  const toggle = useMutation({
    mutationFn: (rule: Rule) => saveRule(rule.id, { ...bodyOf(rule), active: !rule.active }),
    onSuccess: (rule) => {
      notify(t(rule.active ? 'risk.ruleOn' : 'risk.ruleOff', { name: rule.name }));
      return queryClient.invalidateQueries({ queryKey: rulesKey });
    },
  });
  return (
    <Page title={t('risk.rulesTitle')}>
      <p className="ops-lead">{t('risk.rulesLead')}</p>
      <ProblemAlert error={toggle.error} />
      {rules.isPending ? (
        <Loading />
      ) : rules.isError ? (
        <ProblemAlert error={rules.error} onRetry={() => void rules.refetch()} />
      ) : (
        <DataTable
          caption={t('risk.rulesCaption')}
          rows={rules.data.items}
          rowKey={(r) => r.id}
          columns={[
            { key: 'name', header: t('risk.ruleName'), render: (r) => r.name },
            { key: 'kind', header: t('risk.ruleKind'), render: (r) => t(`risk.kind.${r.kind}`) },
            {
              key: 'applies',
              header: t('risk.appliesTo'),
              render: (r) => t(`risk.subject.${r.appliesTo}`),
            },
            {
              key: 'action',
              header: t('risk.action'),
              render: (r) => (
                <span className={r.action === 'REJECT' ? 'badge danger' : 'badge warn'}>
                  {t(`risk.decision.${r.action}`)}
                </span>
              ),
            },
            { key: 'score', header: t('risk.score'), numeric: true, render: (r) => r.score },
            {
              key: 'params',
              header: t('risk.parameters'),
              render: (r) => <RuleParameters rule={r} />,
            },
            {
              key: 'active',
              header: t('app.status'),
              render: (r) => (
                <span className={r.active ? 'badge ok' : 'badge'}>
                  {t(r.active ? 'risk.active' : 'risk.inactive')}
                </span>
              ),
            },
            {
              key: 'actions',
              header: t('app.actions'),
              render: (r) => (
                <div className="row">
                  <RuleEditor rule={r} />
                  <button
                    type="button"
                    className="button secondary"
                    disabled={toggle.isPending}
                    aria-label={t(r.active ? 'risk.turnOffNamed' : 'risk.turnOnNamed', {
                      name: r.name,
                    })}
                    onClick={() => toggle.mutate(r)}
                  >
                    {t(r.active ? 'risk.turnOff' : 'risk.turnOn')}
                  </button>
                </div>
              ),
            },
          ]}
        />
      )}
    </Page>
  );
}

/** The edit dialog of one rule: its kind's parameters, action, score, on/off. */
function RuleEditor({ rule }: { rule: Rule }) {
  const t = useT();
  return (
    <DialogTrigger>
      <Button
        className="button secondary"
        aria-label={t('risk.editRuleNamed', { name: rule.name })}
      >
        {t('risk.edit')}
      </Button>
      <Modal isDismissable>
        <Dialog>
          {({ close }) => (
            <>
              <Heading slot="title">{t('risk.editRuleNamed', { name: rule.name })}</Heading>
              <RuleForm rule={rule} onDone={close} />
            </>
          )}
        </Dialog>
      </Modal>
    </DialogTrigger>
  );
}

function RuleForm({ rule, onDone }: { rule: Rule; onDone: () => void }) {
  const t = useT();
  const intl = useIntl();
  const notify = useNotify();
  const queryClient = useQueryClient();
  const uses = USES[rule.kind];
  const currency = rule.amount?.currency ?? 'CNY';
  const [name, setName] = useState(rule.name);
  const [action, setAction] = useState<Rule['action']>(rule.action);
  const [score, setScore] = useState(rule.score);
  const [active, setActive] = useState(rule.active);
  const [listKind, setListKind] = useState<ListKind | null>(rule.listKind);
  const [dimension, setDimension] = useState<Dimension | null>(rule.dimension);
  const [windowSeconds, setWindow] = useState<number>(rule.windowSeconds ?? NaN);
  const [threshold, setThreshold] = useState<number>(rule.threshold ?? NaN);
  const [delivery, setDelivery] = useState<number>(rule.deliveryWindowSeconds ?? NaN);
  const [amount, setAmount] = useState<number>(rule.amount ? toMajor(rule.amount) : NaN);
  const save = useMutation({
    mutationFn: () => {
      const num = (n: number) => (Number.isFinite(n) ? n : null);
      return saveRule(rule.id, {
        name,
        kind: rule.kind,
        appliesTo: rule.appliesTo,
        action,
        score,
        active,
        ...(uses.listKind && listKind ? { listKind } : {}),
        ...(uses.dimension && dimension ? { dimension } : {}),
        windowSeconds: uses.window ? num(windowSeconds) : null,
        threshold: uses.threshold ? num(threshold) : null,
        deliveryWindowSeconds: uses.delivery ? num(delivery) : null,
        amount:
          uses.amount && Number.isFinite(amount)
            ? { amountMinor: toMinor(amount, currency), currency }
            : null,
      });
    },
    onSuccess: async (saved) => {
      notify(t('risk.ruleSaved', { name: saved.name }));
      await queryClient.invalidateQueries({ queryKey: rulesKey });
      onDone();
    },
  });
  const duration = (s: number) =>
    Number.isFinite(s) && s > 0 ? t('risk.seconds', { n: intl.formatNumber(s) }) : undefined;
  return (
    <Form
      validationErrors={fieldErrors(save.error)}
      onSubmit={(e) => {
        e.preventDefault();
        save.mutate();
      }}
    >
      <p>
        {t('risk.ruleKind')}: {t(`risk.kind.${rule.kind}`)} · {t('risk.appliesTo')}:{' '}
        {t(`risk.subject.${rule.appliesTo}`)}
      </p>
      <TextInput
        label={t('risk.ruleName')}
        name="name"
        value={name}
        onChange={setName}
        isRequired
        maxLength={200}
      />
      <div className="row">
        <SelectInput
          label={t('risk.action')}
          name="action"
          value={action}
          onChange={setAction}
          options={(['REVIEW', 'REJECT'] as const).map((a) => ({
            id: a,
            label: t(`risk.decision.${a}`),
          }))}
        />
        <NumberInput
          label={t('risk.score')}
          name="score"
          value={score}
          onChange={setScore}
          minValue={0}
          maxValue={100}
          step={1}
          isRequired
        />
      </div>
      {uses.listKind ? (
        <SelectInput
          label={t('risk.list')}
          name="listKind"
          value={listKind}
          onChange={setListKind}
          isRequired
          options={LIST_KINDS.map((k) => ({ id: k, label: t(`risk.listKind.${k}`) }))}
        />
      ) : null}
      {uses.dimension ? (
        <SelectInput
          label={t('risk.dimensionLabel')}
          name="dimension"
          value={dimension}
          onChange={setDimension}
          isRequired
          options={uses.dimension.map((d) => ({ id: d, label: t(`risk.dimension.${d}`) }))}
        />
      ) : null}
      <div className="row">
        {uses.window ? (
          <NumberInput
            label={t('risk.windowSeconds')}
            name="windowSeconds"
            value={windowSeconds}
            onChange={setWindow}
            minValue={1}
            maxValue={31_536_000}
            step={1}
            isRequired
            description={duration(windowSeconds)}
          />
        ) : null}
        {uses.threshold ? (
          <NumberInput
            label={t('risk.threshold')}
            name="threshold"
            value={threshold}
            onChange={setThreshold}
            minValue={1}
            step={1}
            isRequired
          />
        ) : null}
        {uses.delivery ? (
          <NumberInput
            label={t('risk.deliveryWindowSeconds')}
            name="deliveryWindowSeconds"
            value={delivery}
            onChange={setDelivery}
            minValue={1}
            maxValue={31_536_000}
            step={1}
            isRequired
            description={duration(delivery)}
          />
        ) : null}
        {uses.amount ? (
          <MoneyInput
            label={t('risk.amount')}
            name="amount"
            currency={currency}
            value={amount}
            onChange={setAmount}
            isRequired
          />
        ) : null}
      </div>
      <label className="ops-check">
        <input type="checkbox" checked={active} onChange={(e) => setActive(e.target.checked)} />
        {t('risk.activeLabel')}
      </label>
      <ProblemAlert error={save.error} />
      <div className="row dialog-actions">
        <Button className="button secondary" slot="close">
          {t('app.cancel')}
        </Button>
        <Button type="submit" className="button" isDisabled={save.isPending}>
          {t('app.save')}
        </Button>
      </div>
    </Form>
  );
}
