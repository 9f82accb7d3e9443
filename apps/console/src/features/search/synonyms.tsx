import { useState } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Form } from 'react-aria-components';
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

type SynonymSet = components['schemas']['SynonymSetView'];
const key = ['search', 'synonyms'] as const;
const ID = /^[a-z0-9_-]{1,64}$/;

/** Terms one a line (or separated by commas), trimmed, blanks and repeats dropped. */
const termsOf = (text: string) => [
  ...new Set(
    text
      .split(/[\n,，]/)
      .map((x) => x.trim())
      .filter(Boolean),
  ),
];

export function SynonymsScreen() {
  const t = useT();
  const notify = useNotify();
  const queryClient = useQueryClient();
  const [editing, setEditing] = useState<SynonymSet | null>(null);
  const sets = useQuery({
    queryKey: key,
    queryFn: () => ok(api.GET('/v1/admin/search/synonyms')),
  });
  const remove = useMutation({
    mutationFn: (id: string) =>
      ok(api.DELETE('/v1/admin/search/synonyms/{id}', { params: { path: { id } } })),
    onSuccess: (_, id) => {
      notify(t('search.deleted', { id }));
      if (editing?.id === id) setEditing(null);
      return queryClient.invalidateQueries({ queryKey: key });
    },
  });
  return (
    <Page title={t('search.synonymsTitle')}>
      <p className="ops-lead">{t('search.synonymsLead')}</p>
      <SynonymForm key={editing?.id ?? 'new'} editing={editing} onDone={() => setEditing(null)} />
      <Section title={t('search.synonymSets')} id="synonym-sets">
        {sets.isPending ? (
          <Loading />
        ) : sets.isError ? (
          <ProblemAlert error={sets.error} onRetry={() => void sets.refetch()} />
        ) : (
          <DataTable
            caption={t('search.synonymSets')}
            rows={sets.data.items}
            rowKey={(s) => s.id}
            empty={t('search.noSynonyms')}
            columns={[
              { key: 'id', header: t('search.setId'), render: (s) => <code>{s.id}</code> },
              {
                key: 'terms',
                header: t('search.terms'),
                render: (s) => (
                  <ul className="ops-tags" aria-label={t('search.termsOf', { id: s.id })}>
                    {s.terms.map((term) => (
                      <li key={term} className="badge">
                        {term}
                      </li>
                    ))}
                  </ul>
                ),
              },
              {
                key: 'updated',
                header: t('search.updatedAt'),
                render: (s) => <DateTime value={s.updatedAt} />,
              },
              {
                key: 'actions',
                header: t('app.actions'),
                render: (s) => (
                  <div className="row">
                    <button
                      type="button"
                      className="button secondary"
                      aria-label={t('search.editNamed', { id: s.id })}
                      onClick={() => setEditing(s)}
                    >
                      {t('search.edit')}
                    </button>
                    <ConfirmButton
                      danger
                      label={t('search.deleteNamed', { id: s.id })}
                      title={t('search.deleteTitle', { id: s.id })}
                      confirmLabel={t('search.delete')}
                      onConfirm={() => remove.mutateAsync(s.id)}
                    >
                      <p>{t('search.deleteBody', { terms: s.terms.join('、') })}</p>
                    </ConfirmButton>
                  </div>
                ),
              },
            ]}
          />
        )}
      </Section>
    </Page>
  );
}

/** A new set (its id and terms), or the terms of the set being edited. */
function SynonymForm({ editing, onDone }: { editing: SynonymSet | null; onDone: () => void }) {
  const t = useT();
  const notify = useNotify();
  const queryClient = useQueryClient();
  const [id, setId] = useState(editing?.id ?? '');
  const [text, setText] = useState(editing?.terms.join('\n') ?? '');
  const terms = termsOf(text);
  const save = useMutation({
    mutationFn: () =>
      ok(api.PUT('/v1/admin/search/synonyms/{id}', { params: { path: { id } }, body: { terms } })),
    onSuccess: async (set) => {
      notify(t('search.saved', { id: set.id, n: set.terms.length }));
      setId('');
      setText('');
      await queryClient.invalidateQueries({ queryKey: key });
      onDone();
    },
  });
  return (
    <Section
      title={editing ? t('search.editTitle', { id: editing.id }) : t('search.newTitle')}
      id="synonym-form"
    >
      <Form
        validationErrors={fieldErrors(save.error)}
        onSubmit={(e) => {
          e.preventDefault();
          save.mutate();
        }}
      >
        <div className="row">
          <TextInput
            label={t('search.setId')}
            description={t('search.setIdHelp')}
            name="id"
            value={id}
            onChange={(v) => setId(v.trim())}
            isRequired
            isReadOnly={editing !== null}
            validate={(v) => (ID.test(v.trim()) ? null : t('search.setIdInvalid'))}
          />
          <TextInput
            label={t('search.termsLabel')}
            description={t('search.termsHelp', { n: terms.length })}
            name="terms"
            multiline
            value={text}
            onChange={setText}
            isRequired
            validate={(v) => {
              const n = termsOf(v);
              if (n.length < 2 || n.length > 20) return t('search.termsCount');
              if (n.some((x) => x.length > 50)) return t('search.termTooLong');
              return null;
            }}
          />
        </div>
        <ProblemAlert error={save.error} />
        <div className="row">
          <button type="submit" className="button" disabled={save.isPending}>
            {editing ? t('app.save') : t('search.create')}
          </button>
          {editing ? (
            <button type="button" className="button secondary" onClick={onDone}>
              {t('app.cancel')}
            </button>
          ) : null}
        </div>
      </Form>
    </Section>
  );
}
