import { useState } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useIntl } from 'react-intl';
import { Link } from 'react-router';
import { Form, Tab, TabList, TabPanel, Tabs } from 'react-aria-components';
import { ok, type components } from '@emporia/sdk';
import { useT } from '../../i18n';
import { api } from '../../sdk';
import { TextInput } from '../../ui/fields';
import { useNotify } from '../../ui/notify';
import { Loading, Page, Section } from '../../ui/page';
import { fieldErrors, ProblemAlert } from '../../ui/problem';
import { DataTable } from '../../ui/table';
import { ConfirmButton } from '../../ui/dialogs';
import { DateTime } from '../../ui/format';
import { LIST_KINDS } from './rules';

type ListKind = components['schemas']['ListExportView']['kind'];

/** How many entries of a list the table shows at once (a list may hold many thousands). */
const SHOWN = 100;
const MAX_ENTRIES = 10_000;

const listKey = (kind: ListKind) => ['risk', 'list', kind] as const;

/** The values of a text area, one a line, blank lines and surrounding spaces dropped. */
const linesOf = (text: string) =>
  text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l.length > 0);

export function ListsScreen() {
  const t = useT();
  const [kind, setKind] = useState<ListKind>('IP');
  return (
    <Page title={t('risk.listsTitle')}>
      <p className="ops-lead">{t('risk.listsLead')}</p>
      <Tabs
        className="ops-tabs"
        selectedKey={kind}
        onSelectionChange={(k) => setKind(k as ListKind)}
      >
        <TabList aria-label={t('risk.listKinds')}>
          {LIST_KINDS.map((k) => (
            <Tab key={k} id={k}>
              {t(`risk.listKind.${k}`)}
            </Tab>
          ))}
        </TabList>
        {LIST_KINDS.map((k) => (
          <TabPanel key={k} id={k}>
            <ListPanel kind={k} />
          </TabPanel>
        ))}
      </Tabs>
    </Page>
  );
}

function ListPanel({ kind }: { kind: ListKind }) {
  const t = useT();
  const intl = useIntl();
  const notify = useNotify();
  const queryClient = useQueryClient();
  const [filter, setFilter] = useState('');
  const list = useQuery({
    queryKey: listKey(kind),
    queryFn: () =>
      ok(api.GET('/v1/admin/risk/lists/{kind}/export', { params: { path: { kind } } })),
  });
  const remove = useMutation({
    mutationFn: (values: string[]) =>
      ok(
        api.DELETE('/v1/admin/risk/lists/{kind}/entries', {
          params: { path: { kind } },
          body: { values },
        }),
      ),
    onSuccess: (res) => {
      notify(t('risk.removed', { n: res.removed }));
      return queryClient.invalidateQueries({ queryKey: listKey(kind) });
    },
  });
  const kindName = t(`risk.listKind.${kind}`);
  const download = () => {
    if (!list.data) return;
    const blob = new Blob([JSON.stringify(list.data, null, 2)], { type: 'application/json' });
    const url = URL.createObjectURL(blob);
    const a = document.createElement('a');
    a.href = url;
    a.download = `risk-list-${kind.toLowerCase()}.json`;
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
    notify(t('risk.exported', { n: list.data.entries.length }));
  };
  const matching =
    list.data?.entries.filter(
      (e) => !filter || e.value.includes(filter.toLowerCase()) || e.reason.includes(filter),
    ) ?? [];
  // newest first on the screen (the export is oldest first)
  const shown = matching.slice(-SHOWN).reverse();
  return (
    <>
      <AddEntries kind={kind} />
      <Section title={t('risk.listEntries', { list: kindName })} id={`list-${kind}`}>
        {list.isPending ? (
          <Loading />
        ) : list.isError ? (
          <ProblemAlert error={list.error} onRetry={() => void list.refetch()} />
        ) : (
          <>
            <div className="row">
              <TextInput
                label={t('risk.filterEntries')}
                value={filter}
                onChange={setFilter}
                type="search"
              />
              <button type="button" className="button secondary" onClick={download}>
                {t('risk.export', { list: kindName })}
              </button>
            </div>
            <p aria-live="polite">
              {t('risk.entriesCount', {
                shown: intl.formatNumber(shown.length),
                total: intl.formatNumber(list.data.entries.length),
              })}
            </p>
            <ProblemAlert error={remove.error} />
            <DataTable
              caption={t('risk.listEntries', { list: kindName })}
              rows={shown}
              rowKey={(e) => e.value}
              empty={t('risk.listEmpty')}
              columns={[
                {
                  key: 'value',
                  header: t('risk.value'),
                  render: (e) =>
                    kind === 'ACCOUNT' ? (
                      <Link to={`/accounts?q=${e.value}`}>
                        <code>{e.value}</code>
                      </Link>
                    ) : (
                      <code>{e.value}</code>
                    ),
                },
                { key: 'reason', header: t('risk.reason'), render: (e) => e.reason || '—' },
                {
                  key: 'added',
                  header: t('risk.addedAt'),
                  render: (e) => <DateTime value={e.addedAt} />,
                },
                {
                  key: 'actions',
                  header: t('app.actions'),
                  render: (e) => (
                    <ConfirmButton
                      danger
                      label={t('risk.removeNamed', { value: e.value })}
                      title={t('risk.removeTitle', { list: kindName })}
                      confirmLabel={t('risk.remove')}
                      onConfirm={() => remove.mutateAsync([e.value])}
                    >
                      <p>{t('risk.removeBody', { value: e.value })}</p>
                    </ConfirmButton>
                  ),
                },
              ]}
            />
          </>
        )}
      </Section>
      <RemoveEntries kind={kind} onRemove={(values) => remove.mutateAsync(values)} />
    </>
  );
}

/** Adds values (one a line) with one reason. */
function AddEntries({ kind }: { kind: ListKind }) {
  const t = useT();
  const notify = useNotify();
  const queryClient = useQueryClient();
  const [text, setText] = useState('');
  const [reason, setReason] = useState('');
  const values = linesOf(text);
  const tooMany = values.length > MAX_ENTRIES;
  const add = useMutation({
    mutationFn: () =>
      ok(
        api.POST('/v1/admin/risk/lists/{kind}/entries', {
          params: { path: { kind } },
          body: {
            entries: values.map((value) => (reason ? { value, reason } : { value })),
          },
        }),
      ),
    onSuccess: async (res) => {
      notify(t('risk.added', { n: res.added, total: values.length }));
      setText('');
      setReason('');
      await queryClient.invalidateQueries({ queryKey: listKey(kind) });
    },
  });
  const kindName = t(`risk.listKind.${kind}`);
  return (
    <Section title={t('risk.addTitle', { list: kindName })} id={`add-${kind}`}>
      <Form
        validationErrors={fieldErrors(add.error)}
        onSubmit={(e) => {
          e.preventDefault();
          if (values.length > 0 && !tooMany) add.mutate();
        }}
      >
        <TextInput
          label={t('risk.values', { list: kindName })}
          description={t(`risk.valuesHelp.${kind}`)}
          name="entries"
          multiline
          value={text}
          onChange={setText}
          isRequired
          validate={(v) =>
            linesOf(v).length > MAX_ENTRIES ? t('risk.tooMany', { max: MAX_ENTRIES }) : null
          }
        />
        <TextInput
          label={t('risk.reason')}
          name="reason"
          value={reason}
          onChange={setReason}
          maxLength={500}
        />
        <ProblemAlert error={add.error} />
        <button type="submit" className="button" disabled={add.isPending}>
          {t('risk.add', { n: values.length })}
        </button>
      </Form>
    </Section>
  );
}

/** Removes values (one a line), after a confirmation. */
function RemoveEntries({
  kind,
  onRemove,
}: {
  kind: ListKind;
  onRemove: (values: string[]) => Promise<unknown>;
}) {
  const t = useT();
  const [text, setText] = useState('');
  const values = linesOf(text);
  const kindName = t(`risk.listKind.${kind}`);
  return (
    <Section title={t('risk.removeManyTitle', { list: kindName })} id={`remove-${kind}`}>
      <TextInput
        label={t('risk.valuesToRemove')}
        multiline
        value={text}
        onChange={setText}
        validationBehavior="aria"
        validate={(v) =>
          linesOf(v).length > MAX_ENTRIES ? t('risk.tooMany', { max: MAX_ENTRIES }) : null
        }
      />
      {values.length > 0 && values.length <= MAX_ENTRIES ? (
        <ConfirmButton
          danger
          label={t('risk.removeMany', { n: values.length })}
          title={t('risk.removeTitle', { list: kindName })}
          confirmLabel={t('risk.remove')}
          onConfirm={async () => {
            await onRemove(values);
            setText('');
          }}
        >
          <p>{t('risk.removeManyBody', { n: values.length })}</p>
        </ConfirmButton>
      ) : null}
    </Section>
  );
}
