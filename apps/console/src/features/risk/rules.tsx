import { useState, type ReactNode } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useIntl } from 'react-intl';
import { Form } from 'react-aria-components';
import { v4 as uuidv4 } from 'uuid';
import { ok, type components } from '@emporia/sdk';
import { useT } from '../../i18n';
import { api } from '../../sdk';
import { DialogButton, FormActions } from '../../ui/dialogs';
import { CheckboxInput, MoneyInput, NumberInput, SelectInput, TextInput } from '../../ui/fields';
import { Money, toMajor, toMinor } from '../../ui/money';
import { useNotify } from '../../ui/notify';
import { Loading, Page } from '../../ui/page';
import { fieldErrors, ProblemAlert } from '../../ui/problem';
import { DataTable } from '../../ui/table';
import { Duration } from '../../ui/format';

type Rule = components['schemas']['RuleView'];
type RuleBody = components['schemas']['UpsertRuleDto'];
type Kind = Rule['kind'];
type Subject = Rule['appliesTo'];
type ListKind = NonNullable<Rule['listKind']>;
type Dimension = NonNullable<Rule['dimension']>;

export const LIST_KINDS: ListKind[] = ['ACCOUNT', 'DEVICE', 'IP', 'ADDRESS', 'PHONE'];
const DIMENSIONS: Dimension[] = ['ACCOUNT', 'IP', 'ADDRESS', 'DEVICE'];
/** ADDRESS_QUALITY: a doubt checkout found about the address (libs/domain), or any of them. */
const ADDRESS_ISSUES: Dimension[] = [
  'ANY',
  'DETAIL_VAGUE',
  'PHONE_OTHER_COUNTRY',
  'RECIPIENT_DOUBTFUL',
  'REGION_MISMATCH_IN_DETAIL',
];
/** RETURN_ABUSE: what of the account's returns over the window is counted. */
const RETURN_DIMENSIONS: Dimension[] = [
  'RETURN_RATE',
  'EXCHANGES',
  'REFUNDS_WITHOUT_RETURN',
  'ITEMS_MISMATCH',
];
/** The longest window (RETURN_ABUSE's and NEW_ACCOUNT's; risk keeps the others to 7 days). */
const MAX_WINDOW = 365 * 86_400;

/**
 * The parameters each rule kind uses and what it scores (README "Risk control",
 * apps/risk/README.md; risk's RULE_INVALID is the last word). `rate`: with that dimension the
 * threshold is a percentage and `minSample` applies.
 */
const USES: Record<
  Kind,
  {
    subjects: Subject[];
    listKind?: true;
    dimension?: Dimension[];
    window?: true;
    threshold?: true;
    amount?: true;
    delivery?: true;
    rate?: Dimension;
    /** MODEL_SCORE: the threshold is per mille of the fraud model's probability (1 to 1000). */
    perMille?: true;
  }
> = {
  LIST_MATCH: { subjects: ['ORDER', 'LOGIN', 'REVIEW'], listKind: true },
  VELOCITY: { subjects: ['ORDER', 'REVIEW'], dimension: DIMENSIONS, window: true, threshold: true },
  AMOUNT: { subjects: ['ORDER'], amount: true },
  BRUSHING: { subjects: ['ORDER'], amount: true, window: true, threshold: true },
  COUPON_ABUSE: {
    subjects: ['ORDER'],
    dimension: ['DEVICE', 'ADDRESS'],
    window: true,
    threshold: true,
  },
  LOGIN_ANOMALY: { subjects: ['ORDER', 'LOGIN'], window: true },
  LOGIN_VELOCITY: {
    subjects: ['LOGIN'],
    dimension: ['IP', 'ACCOUNT'],
    window: true,
    threshold: true,
  },
  NEW_ACCOUNT: { subjects: ['REVIEW'], window: true },
  BULK_AFTER_DELIVERY: { subjects: ['REVIEW'], window: true, threshold: true, delivery: true },
  ADDRESS_QUALITY: { subjects: ['ORDER'], dimension: ADDRESS_ISSUES },
  ADDRESS_SPREAD: {
    subjects: ['ORDER'],
    dimension: ['ADDRESS', 'ACCOUNT'],
    window: true,
    threshold: true,
  },
  RETURN_ABUSE: {
    subjects: ['ORDER'],
    dimension: RETURN_DIMENSIONS,
    window: true,
    threshold: true,
    rate: 'RETURN_RATE',
  },
  MODEL_SCORE: { subjects: ['ORDER'], threshold: true, perMille: true },
};
const KINDS = Object.keys(USES) as Kind[];

const rulesKey = ['risk', 'rules'] as const;

/** A dimension in words; ADDRESS_SPREAD's say which way it counts (accounts of one address …). */
const dimensionLabel = (t: (id: string) => string, kind: Kind, d: Dimension) =>
  t(kind === 'ADDRESS_SPREAD' ? `risk.spreadDimension.${d}` : `risk.dimension.${d}`);

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
    minSample: rule.minSample,
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
    parts.push(
      t('risk.param.dimension', { dimension: dimensionLabel(t, rule.kind, rule.dimension) }),
    );
  const rate = rule.dimension != null && USES[rule.kind].rate === rule.dimension;
  if (rule.threshold != null)
    parts.push(
      t(
        rate
          ? 'risk.param.rate'
          : USES[rule.kind].perMille
            ? 'risk.param.perMille'
            : 'risk.param.threshold',
        { n: rule.threshold },
      ),
    );
  if (rule.minSample != null) parts.push(t('risk.param.minSample', { n: rule.minSample }));
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
      <div className="row">
        <DialogButton label={t('risk.newRule')} title={t('risk.newRule')}>
          {(close) => <RuleForm rule={newRule()} isNew onDone={close} />}
        </DialogButton>
      </div>
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
    <DialogButton
      className="button secondary"
      label={t('risk.edit')}
      ariaLabel={t('risk.editRuleNamed', { name: rule.name })}
      title={t('risk.editRuleNamed', { name: rule.name })}
    >
      {(close) => <RuleForm rule={rule} onDone={close} />}
    </DialogButton>
  );
}

/** A new rule, off until an operator turns it on. */
const newRule = (): Rule => ({
  id: uuidv4(),
  name: '',
  kind: 'RETURN_ABUSE',
  appliesTo: 'ORDER',
  action: 'REVIEW',
  score: 30,
  active: false,
  listKind: null,
  dimension: null,
  windowSeconds: null,
  threshold: null,
  deliveryWindowSeconds: null,
  minSample: null,
  amount: null,
});

function RuleForm({
  rule,
  isNew = false,
  onDone,
}: {
  rule: Rule;
  /** A new rule: its kind and subject are chosen here (a saved rule keeps its own). */
  isNew?: boolean;
  onDone: () => void;
}) {
  const t = useT();
  const intl = useIntl();
  const notify = useNotify();
  const queryClient = useQueryClient();
  const currency = rule.amount?.currency ?? 'CNY';
  const [kind, setKindState] = useState<Kind>(rule.kind);
  const [appliesTo, setAppliesTo] = useState<Subject>(rule.appliesTo);
  const [name, setName] = useState(rule.name);
  const [action, setAction] = useState<Rule['action']>(rule.action);
  const [score, setScore] = useState(rule.score);
  const [active, setActive] = useState(rule.active);
  const [listKind, setListKind] = useState<ListKind | null>(rule.listKind);
  const [dimension, setDimension] = useState<Dimension | null>(rule.dimension);
  const [windowSeconds, setWindow] = useState<number>(rule.windowSeconds ?? NaN);
  const [threshold, setThreshold] = useState<number>(rule.threshold ?? NaN);
  const [delivery, setDelivery] = useState<number>(rule.deliveryWindowSeconds ?? NaN);
  const [minSample, setMinSample] = useState<number>(rule.minSample ?? NaN);
  const [amount, setAmount] = useState<number>(rule.amount ? toMajor(rule.amount) : NaN);
  const uses = USES[kind];
  /** RETURN_RATE: the threshold is a percentage, and a minimum sample applies. */
  const rate = uses.rate !== undefined && dimension === uses.rate;
  const setKind = (k: Kind) => {
    setKindState(k);
    if (!USES[k].subjects.includes(appliesTo)) setAppliesTo(USES[k].subjects[0]);
    if (dimension && !USES[k].dimension?.includes(dimension)) setDimension(null);
  };
  const save = useMutation({
    mutationFn: () => {
      const num = (n: number) => (Number.isFinite(n) ? n : null);
      return saveRule(rule.id, {
        name,
        kind,
        appliesTo,
        action,
        score,
        active,
        ...(uses.listKind && listKind ? { listKind } : {}),
        ...(uses.dimension && dimension ? { dimension } : {}),
        windowSeconds: uses.window ? num(windowSeconds) : null,
        threshold: uses.threshold ? num(threshold) : null,
        deliveryWindowSeconds: uses.delivery ? num(delivery) : null,
        minSample: rate ? num(minSample) : null,
        amount:
          uses.amount && Number.isFinite(amount)
            ? { amountMinor: toMinor(amount, currency), currency }
            : null,
      });
    },
    onSuccess: async (saved) => {
      notify(t(isNew ? 'risk.ruleCreated' : 'risk.ruleSaved', { name: saved.name }));
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
      {isNew ? (
        <div className="row">
          <SelectInput
            label={t('risk.ruleKind')}
            name="kind"
            value={kind}
            onChange={setKind}
            isRequired
            options={KINDS.map((k) => ({ id: k, label: t(`risk.kind.${k}`) }))}
          />
          <SelectInput
            label={t('risk.appliesTo')}
            name="appliesTo"
            value={appliesTo}
            onChange={setAppliesTo}
            isRequired
            options={uses.subjects.map((s) => ({ id: s, label: t(`risk.subject.${s}`) }))}
          />
        </div>
      ) : (
        <p>
          {t('risk.ruleKind')}: {t(`risk.kind.${kind}`)} · {t('risk.appliesTo')}:{' '}
          {t(`risk.subject.${appliesTo}`)}
        </p>
      )}
      <p className="mk-hint">{t(`risk.kindHelp.${kind}`)}</p>
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
          label={t(
            kind === 'ADDRESS_QUALITY'
              ? 'risk.addressIssueLabel'
              : kind === 'RETURN_ABUSE'
                ? 'risk.returnDimensionLabel'
                : 'risk.dimensionLabel',
          )}
          name="dimension"
          value={dimension}
          onChange={setDimension}
          isRequired
          options={uses.dimension.map((d) => ({ id: d, label: dimensionLabel(t, kind, d) }))}
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
            maxValue={MAX_WINDOW}
            step={1}
            isRequired
            description={duration(windowSeconds)}
          />
        ) : null}
        {uses.threshold ? (
          <NumberInput
            label={t(
              rate
                ? 'risk.thresholdRate'
                : uses.perMille
                  ? 'risk.thresholdPerMille'
                  : 'risk.threshold',
            )}
            name="threshold"
            value={threshold}
            onChange={setThreshold}
            minValue={1}
            maxValue={rate ? 100 : uses.perMille ? 1000 : undefined}
            step={1}
            isRequired
          />
        ) : null}
        {rate ? (
          <NumberInput
            label={t('risk.minSample')}
            name="minSample"
            value={minSample}
            onChange={setMinSample}
            minValue={1}
            step={1}
            description={t('risk.minSampleHelp')}
          />
        ) : null}
        {uses.delivery ? (
          <NumberInput
            label={t('risk.deliveryWindowSeconds')}
            name="deliveryWindowSeconds"
            value={delivery}
            onChange={setDelivery}
            minValue={1}
            maxValue={MAX_WINDOW}
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
      <CheckboxInput label={t('risk.activeLabel')} checked={active} onChange={setActive} />
      <FormActions
        error={save.error}
        pending={save.isPending}
        submitLabel={t(isNew ? 'risk.create' : 'app.save')}
        onCancel={onDone}
      />
    </Form>
  );
}
