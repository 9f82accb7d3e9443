import { useState } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useIntl } from 'react-intl';
import { Link } from 'react-router';
import { Form } from 'react-aria-components';
import { ok, type components } from '@emporia/sdk';
import { useT } from '../../i18n';
import { api } from '../../sdk';
import { MoneyInput, TextInput } from '../../ui/fields';
import { Money, toMajor, toMinor } from '../../ui/money';
import { useNotify } from '../../ui/notify';
import { Loading, Page, Section } from '../../ui/page';
import { fieldErrors } from '../../ui/problem';
import { DataTable } from '../../ui/table';
import { AccountProblem } from './problem';

type TierList = components['schemas']['TierList'];
type Currency = components['schemas']['MoneyDto']['currency'];
interface Draft {
  key: number;
  code: string;
  name: string;
  minSpend: number;
}
const key = ['accounts', 'tiers'] as const;

export function TiersScreen() {
  const t = useT();
  const tiers = useQuery({ queryKey: key, queryFn: () => ok(api.GET('/v1/admin/tiers')) });
  return (
    <Page
      title={t('accounts.tiersTitle')}
      actions={
        <Link className="button secondary" to="/accounts">
          {t('accounts.backToAccounts')}
        </Link>
      }
    >
      <p className="ops-lead">{t('accounts.tiersLead')}</p>
      {tiers.isPending ? (
        <Loading />
      ) : tiers.isError ? (
        <AccountProblem error={tiers.error} />
      ) : (
        <>
          <Section title={t('accounts.tiersNow')} id="tiers-now">
            {tiers.data.membersToReevaluate ? (
              <p role="status">
                {t('accounts.reevaluating', { n: tiers.data.membersToReevaluate })}
              </p>
            ) : null}
            <DataTable
              caption={t('accounts.tiersNow')}
              rows={tiers.data.items}
              rowKey={(x) => x.code}
              columns={[
                {
                  key: 'code',
                  header: t('accounts.tierCode'),
                  render: (x) => <code>{x.code}</code>,
                },
                { key: 'name', header: t('accounts.tierName'), render: (x) => x.name },
                {
                  key: 'min',
                  header: t('accounts.minSpend'),
                  numeric: true,
                  render: (x) => <Money value={x.minSpend} />,
                },
                {
                  key: 'members',
                  header: t('accounts.members'),
                  numeric: true,
                  render: (x) => x.members,
                },
              ]}
            />
          </Section>
          <TiersEditor key={JSON.stringify(tiers.data.items)} list={tiers.data} />
        </>
      )}
    </Page>
  );
}

function TiersEditor({ list }: { list: TierList }) {
  const t = useT();
  const intl = useIntl();
  const notify = useNotify();
  const queryClient = useQueryClient();
  const currency: Currency = list.items[0]?.minSpend.currency ?? 'CNY';
  const [rows, setRows] = useState<Draft[]>(() =>
    list.items.map((x, i) => ({
      key: i,
      code: x.code,
      name: x.name,
      minSpend: toMajor(x.minSpend),
    })),
  );
  const [next, setNext] = useState(list.items.length);
  const save = useMutation({
    mutationFn: () =>
      ok(
        api.PUT('/v1/admin/tiers', {
          body: {
            tiers: rows.map((r) => ({
              code: r.code.trim(),
              name: r.name.trim(),
              minSpend: { amountMinor: toMinor(r.minSpend || 0, currency), currency },
            })),
          },
        }),
      ),
    onSuccess: async () => {
      notify(t('accounts.tiersSaved'));
      await queryClient.invalidateQueries({ queryKey: key });
    },
  });
  const update = (k: number, patch: Partial<Draft>) =>
    setRows((rs) => rs.map((r) => (r.key === k ? { ...r, ...patch } : r)));
  return (
    <Section title={t('accounts.tiersEdit')} id="tiers-edit">
      <Form
        validationErrors={fieldErrors(save.error)}
        onSubmit={(e) => {
          e.preventDefault();
          save.mutate();
        }}
      >
        {rows.map((r, i) => (
          <fieldset key={r.key} className="row ops-tier-row">
            <legend>{t('accounts.tierN', { n: intl.formatNumber(i + 1) })}</legend>
            <TextInput
              label={t('accounts.tierCode')}
              name={`tiers.${i}.code`}
              value={r.code}
              onChange={(code) => update(r.key, { code: code.toUpperCase() })}
              isRequired
              maxLength={32}
              validate={(v) => (/^[A-Z][A-Z0-9_]*$/.test(v) ? null : t('accounts.tierCodeInvalid'))}
            />
            <TextInput
              label={t('accounts.tierName')}
              name={`tiers.${i}.name`}
              value={r.name}
              onChange={(name) => update(r.key, { name })}
              isRequired
              maxLength={64}
            />
            <MoneyInput
              label={t('accounts.minSpend')}
              name={`tiers.${i}.minSpend`}
              currency={currency}
              value={r.minSpend}
              onChange={(minSpend) => update(r.key, { minSpend })}
              isRequired
            />
            <div className="field">
              <button
                type="button"
                className="button secondary"
                disabled={rows.length <= 1}
                onClick={() => setRows((rs) => rs.filter((x) => x.key !== r.key))}
              >
                {t('accounts.removeTier', { n: i + 1 })}
              </button>
            </div>
          </fieldset>
        ))}
        <AccountProblem error={save.error} />
        <div className="row">
          <button
            type="button"
            className="button secondary"
            disabled={rows.length >= 32}
            onClick={() => {
              setRows((rs) => [...rs, { key: next, code: '', name: '', minSpend: 0 }]);
              setNext((n) => n + 1);
            }}
          >
            {t('accounts.addTier')}
          </button>
          <button type="submit" className="button" disabled={save.isPending}>
            {t('accounts.saveTiers')}
          </button>
        </div>
      </Form>
    </Section>
  );
}
