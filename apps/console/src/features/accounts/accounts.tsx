import { useState } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link, useSearchParams } from 'react-router';
import { Form } from 'react-aria-components';
import { ok, type components } from '@emporia/sdk';
import { useT } from '../../i18n';
import { api } from '../../sdk';
import { useSession } from '../../session';
import { TextInput } from '../../ui/fields';
import { Money } from '../../ui/money';
import { useNotify } from '../../ui/notify';
import { Loading, Page, Section } from '../../ui/page';
import { fieldErrors } from '../../ui/problem';
import { DataTable } from '../../ui/table';
import { ConfirmButton } from '../../ui/dialogs';
import { DateTime } from '../../ui/format';
import { AccountProblem } from './problem';

const accountProblem = (error: unknown) => <AccountProblem error={error} />;

type AccountView = components['schemas']['AccountView'];
type Role = AccountView['roles'][number];
const ROLES: Role[] = ['customer', 'agent', 'operator', 'admin'];
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const accountKey = (id: string) => ['accounts', 'account', id] as const;

/** The account an e-mail, E.164 phone or account id names: its id, or null when none. */
async function findAccount(q: string): Promise<string | null> {
  if (UUID.test(q)) return q;
  const found = await ok(api.GET('/v1/admin/accounts', { params: { query: { identifier: q } } }));
  return found.items[0]?.id ?? null;
}

export function AccountsScreen() {
  const t = useT();
  const [params, setParams] = useSearchParams();
  const q = params.get('q')?.trim() ?? '';
  const [draft, setDraft] = useState(q);
  const found = useQuery({
    queryKey: ['accounts', 'find', q],
    queryFn: () => findAccount(q),
    enabled: q.length > 0,
  });
  return (
    <Page
      title={t('accounts.title')}
      actions={
        <Link className="button secondary" to="/accounts/tiers">
          {t('accounts.tiersLink')}
        </Link>
      }
    >
      <Form
        role="search"
        aria-label={t('accounts.find')}
        className="row panel"
        validationErrors={fieldErrors(found.error)}
        onSubmit={(e) => {
          e.preventDefault();
          if (draft.trim()) setParams({ q: draft.trim() });
        }}
      >
        <TextInput
          label={t('accounts.identifier')}
          description={t('accounts.identifierHelp')}
          name="identifier"
          value={draft}
          onChange={setDraft}
          isRequired
        />
        <div className="field">
          <button type="submit" className="button">
            {t('app.search')}
          </button>
        </div>
      </Form>
      {!q ? null : found.isPending ? (
        <Loading />
      ) : found.isError ? (
        <AccountProblem error={found.error} />
      ) : found.data === null ? (
        <p role="status">{t('accounts.notFound', { q })}</p>
      ) : (
        <AccountDetails id={found.data} />
      )}
    </Page>
  );
}

function StatusBadge({ status }: { status: AccountView['status'] }) {
  const t = useT();
  const tone = { active: 'ok', frozen: 'danger', deleted: '' }[status];
  return <span className={`badge ${tone}`}>{t(`accounts.status.${status}`)}</span>;
}

function AccountDetails({ id }: { id: string }) {
  const t = useT();
  const { account: me, can } = useSession();
  const details = useQuery({
    queryKey: accountKey(id),
    queryFn: () => ok(api.GET('/v1/admin/accounts/{id}', { params: { path: { id } } })),
  });
  const membership = useQuery({
    queryKey: [...accountKey(id), 'membership'],
    queryFn: () => ok(api.GET('/v1/admin/accounts/{id}/membership', { params: { path: { id } } })),
  });
  if (details.isPending) return <Loading />;
  if (details.isError) return <AccountProblem error={details.error} />;
  const { account, profile, consents, mfaEnabled } = details.data;
  const own = me?.id === account.id;
  return (
    <>
      <Section title={t('accounts.details')} id="account-details">
        <dl className="ops-pairs">
          <div>
            <dt>{t('accounts.email')}</dt>
            <dd>{account.email ?? '—'}</dd>
          </div>
          <div>
            <dt>{t('accounts.phone')}</dt>
            <dd>{account.phone ?? '—'}</dd>
          </div>
          <div>
            <dt>{t('app.status')}</dt>
            <dd>
              <StatusBadge status={account.status} />
              {own ? <span className="badge">{t('accounts.you')}</span> : null}
            </dd>
          </div>
          <div>
            <dt>{t('accounts.roles')}</dt>
            <dd>{account.roles.map((r) => t(`accounts.role.${r}`)).join('、')}</dd>
          </div>
          <div>
            <dt>{t('accounts.displayName')}</dt>
            <dd>{profile.displayName || '—'}</dd>
          </div>
          <div>
            <dt>{t('accounts.mfa')}</dt>
            <dd>{t(mfaEnabled ? 'accounts.mfaOn' : 'accounts.mfaOff')}</dd>
          </div>
          <div>
            <dt>{t('app.createdAt')}</dt>
            <dd>
              <DateTime value={account.createdAt} />
            </dd>
          </div>
          <div>
            <dt>{t('accounts.id')}</dt>
            <dd>
              <code>{account.id}</code>
            </dd>
          </div>
        </dl>
        <p>
          <Link to={`/risk/decisions?accountId=${account.id}`}>{t('accounts.riskLink')}</Link>
        </p>
        <DataTable
          caption={t('accounts.consents')}
          rows={consents}
          rowKey={(c) => c.purpose}
          columns={[
            {
              key: 'purpose',
              header: t('accounts.consentPurpose'),
              render: (c) => t(`accounts.consent.${c.purpose}`),
            },
            {
              key: 'granted',
              header: t('accounts.consentGranted'),
              render: (c) => t(c.granted ? 'accounts.yes' : 'accounts.no'),
            },
            {
              key: 'updated',
              header: t('accounts.consentUpdated'),
              render: (c) => <DateTime value={c.updatedAt} />,
            },
          ]}
        />
      </Section>
      {account.status === 'deleted' ? null : <FreezeActions account={account} />}
      {can('admin') && account.status !== 'deleted' ? (
        <RolesEditor key={account.roles.join()} account={account} />
      ) : null}
      <Section title={t('accounts.membership')} id="membership">
        {membership.isPending ? (
          <Loading />
        ) : membership.isError ? (
          <AccountProblem error={membership.error} />
        ) : (
          <>
            <dl className="ops-pairs">
              <div>
                <dt>{t('accounts.tier')}</dt>
                <dd>
                  {membership.data.tierName} ({membership.data.tierCode})
                </dd>
              </div>
              <div>
                <dt>{t('accounts.rollingSpend')}</dt>
                <dd>
                  <Money value={membership.data.rollingSpend} />
                </dd>
              </div>
              <div>
                <dt>{t('accounts.points')}</dt>
                <dd>{membership.data.pointsBalance}</dd>
              </div>
            </dl>
            <DataTable
              caption={t('accounts.lots')}
              rows={membership.data.lots}
              rowKey={(l) => `${l.sourceRef}-${l.earnedAt}`}
              empty={t('accounts.noLots')}
              columns={[
                {
                  key: 'src',
                  header: t('accounts.lotSource'),
                  render: (l) => <code>{l.sourceRef}</code>,
                },
                {
                  key: 'points',
                  header: t('accounts.lotPoints'),
                  numeric: true,
                  render: (l) => l.points,
                },
                {
                  key: 'left',
                  header: t('accounts.lotRemaining'),
                  numeric: true,
                  render: (l) => l.remaining,
                },
                {
                  key: 'earned',
                  header: t('accounts.lotEarned'),
                  render: (l) => <DateTime value={l.earnedAt} />,
                },
                {
                  key: 'expires',
                  header: t('accounts.lotExpires'),
                  render: (l) => <DateTime value={l.expiresAt} />,
                },
              ]}
            />
          </>
        )}
      </Section>
    </>
  );
}

/** Freezing (with a reason) or unfreezing, each confirmed in a dialog. */
function FreezeActions({ account }: { account: AccountView }) {
  const t = useT();
  const notify = useNotify();
  const queryClient = useQueryClient();
  const [reason, setReason] = useState('');
  const who = account.email ?? account.phone ?? account.id;
  const done = async (message: string) => {
    notify(message);
    await queryClient.invalidateQueries({ queryKey: accountKey(account.id) });
  };
  return (
    <Section title={t('accounts.freezeTitle')} id="freeze">
      {account.status === 'frozen' ? (
        <>
          <p>{t('accounts.frozenNote')}</p>
          {/* keyed: the two buttons are different dialogs, so the freeze dialog, still open
              while its request settles, is not reused as the unfreeze one when the account
              reloads as frozen (it showed "unfreeze", disabled, until it closed) */}
          <ConfirmButton
            key="unfreeze"
            problem={accountProblem}
            label={t('accounts.unfreeze')}
            title={t('accounts.unfreezeTitle', { who })}
            confirmLabel={t('accounts.unfreeze')}
            onConfirm={async () => {
              await ok(
                api.POST('/v1/admin/accounts/{id}/unfreeze', {
                  params: { path: { id: account.id } },
                }),
              );
              await done(t('accounts.unfrozen', { who }));
            }}
          >
            <p>{t('accounts.unfreezeBody')}</p>
          </ConfirmButton>
        </>
      ) : (
        <>
          <p>{t('accounts.freezeNote')}</p>
          <ConfirmButton
            key="freeze"
            danger
            problem={accountProblem}
            label={t('accounts.freeze')}
            title={t('accounts.freezeDialog', { who })}
            confirmLabel={t('accounts.freeze')}
            canConfirm={reason.trim().length > 0}
            onConfirm={async () => {
              await ok(
                api.POST('/v1/admin/accounts/{id}/freeze', {
                  params: { path: { id: account.id } },
                  body: { reason: reason.trim() },
                }),
              );
              setReason('');
              await done(t('accounts.frozen', { who }));
            }}
          >
            <p>{t('accounts.freezeBody')}</p>
            <TextInput
              label={t('accounts.freezeReason')}
              value={reason}
              onChange={setReason}
              isRequired
              maxLength={500}
            />
          </ConfirmButton>
        </>
      )}
    </Section>
  );
}

/** An admin's editor of another account's roles. */
function RolesEditor({ account }: { account: AccountView }) {
  const t = useT();
  const notify = useNotify();
  const queryClient = useQueryClient();
  const [roles, setRoles] = useState<Role[]>(account.roles);
  const save = useMutation({
    mutationFn: () =>
      ok(
        api.PUT('/v1/admin/accounts/{id}/roles', {
          params: { path: { id: account.id } },
          body: { roles },
        }),
      ),
    onSuccess: async () => {
      notify(t('accounts.rolesSaved'));
      await queryClient.invalidateQueries({ queryKey: accountKey(account.id) });
    },
  });
  return (
    <Section title={t('accounts.rolesTitle')} id="roles">
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (roles.length > 0) save.mutate();
        }}
      >
        <fieldset className="ops-checks">
          <legend>{t('accounts.roles')}</legend>
          {ROLES.map((r) => (
            <label key={r} className="ops-check">
              <input
                type="checkbox"
                checked={roles.includes(r)}
                onChange={(e) =>
                  setRoles((cur) => (e.target.checked ? [...cur, r] : cur.filter((x) => x !== r)))
                }
              />
              {t(`accounts.role.${r}`)}
            </label>
          ))}
        </fieldset>
        <p className="ops-hint">{t('accounts.rolesHelp')}</p>
        {roles.length === 0 ? <p role="alert">{t('accounts.rolesEmpty')}</p> : null}
        <AccountProblem error={save.error} />
        <button type="submit" className="button" disabled={save.isPending || roles.length === 0}>
          {t('accounts.saveRoles')}
        </button>
      </form>
    </Section>
  );
}
