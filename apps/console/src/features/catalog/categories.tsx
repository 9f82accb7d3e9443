import { useMemo, useState } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { ok } from '@emporia/sdk';
import {
  Button,
  Collection,
  Form,
  Tree,
  TreeItem,
  TreeItemContent,
  type Selection,
} from 'react-aria-components';
import { useT } from '../../i18n';
import { api } from '../../sdk';
import { TextInput, SelectInput } from '../../ui/fields';
import { useNotify } from '../../ui/notify';
import { Loading, Page, Section } from '../../ui/page';
import { ProblemAlert } from '../../ui/problem';
import { DialogButton } from '../../ui/dialogs';
import {
  catalogKeys,
  categoryPath,
  categoryTree,
  flatTree,
  useCategories,
  type Category,
  type CategoryNode,
} from './data';

const ROOT = 'root';

/** The category tree: browse (expand, collapse, arrows), create, rename, move. */
export function CategoriesScreen() {
  const t = useT();
  const categories = useCategories();
  const [selected, setSelected] = useState<string | null>(null);
  const [expanded, setExpanded] = useState<Set<string>>(new Set());
  const all = useMemo(() => categories.data ?? [], [categories.data]);
  const tree = useMemo(() => categoryTree(all), [all]);
  const current = all.find((c) => c.id === selected);

  // a new category is shown: its ancestors are opened, it is selected
  const reveal = (c: Category) => {
    setExpanded((e) => new Set([...e, ...c.pathIds.slice(0, -1)]));
    setSelected(c.id);
  };

  return (
    <Page
      title={t('catalog.categories.title')}
      actions={
        <DialogButton label={t('catalog.categories.new')} title={t('catalog.categories.new')}>
          {(close) => (
            <CreateCategory
              categories={all}
              tree={tree}
              onDone={(c) => {
                reveal(c);
                close();
              }}
            />
          )}
        </DialogButton>
      }
    >
      {categories.isPending ? <Loading /> : null}
      <ProblemAlert error={categories.error} onRetry={() => void categories.refetch()} />
      <div className="catalog-split">
        <Section title={t('catalog.categories.tree')} id="category-tree">
          {categories.isSuccess && tree.length === 0 ? (
            <p>{t('catalog.categories.empty')}</p>
          ) : null}
          {tree.length > 0 ? (
            <Tree
              aria-label={t('catalog.categories.tree')}
              className="react-aria-Tree category-tree"
              items={tree}
              selectionMode="single"
              selectionBehavior="replace"
              selectedKeys={selected ? [selected] : []}
              onSelectionChange={(keys: Selection) => {
                const [first] = keys === 'all' ? [] : [...keys];
                setSelected(first ? String(first) : null);
              }}
              expandedKeys={expanded}
              onExpandedChange={(keys) => setExpanded(new Set([...keys].map(String)))}
            >
              {function renderNode(node: CategoryNode) {
                return (
                  <TreeItem id={node.id} textValue={node.category.name}>
                    <TreeItemContent>
                      {({ hasChildItems, isExpanded }) => (
                        <div className="tree-row">
                          {hasChildItems ? (
                            <Button slot="chevron" className="tree-chevron">
                              <span aria-hidden="true">{isExpanded ? '▾' : '▸'}</span>
                            </Button>
                          ) : (
                            <span className="tree-chevron-space" aria-hidden="true" />
                          )}
                          <span>{node.category.name}</span>
                          <span className="tree-slug">{node.category.slug}</span>
                          {node.category.regulated ? (
                            <span className="badge warn">{t('catalog.categories.regulated')}</span>
                          ) : null}
                        </div>
                      )}
                    </TreeItemContent>
                    <Collection items={node.children}>{renderNode}</Collection>
                  </TreeItem>
                );
              }}
            </Tree>
          ) : null}
          <p className="hint">{t('catalog.categories.keys')}</p>
        </Section>
        {current ? (
          <CategoryPanel
            key={current.id}
            category={current}
            categories={all}
            tree={tree}
            onCreated={reveal}
          />
        ) : (
          <Section title={t('catalog.categories.selected')} id="category-selected">
            <p>{t('catalog.categories.pick')}</p>
          </Section>
        )}
      </div>
    </Page>
  );
}

function ParentPicker({
  tree,
  value,
  onChange,
  exclude,
  label,
}: {
  tree: CategoryNode[];
  value: string;
  onChange: (v: string) => void;
  exclude?: string;
  label: string;
}) {
  const t = useT();
  const options = [
    { id: ROOT, label: t('catalog.categories.noParent') },
    ...flatTree(tree)
      // a category cannot move under itself or under one of its descendants
      .filter(({ category }) => !exclude || !category.pathIds.includes(exclude))
      .map(({ category, depth }) => ({
        id: category.id,
        label: `${'— '.repeat(depth)}${category.name}`,
      })),
  ];
  return <SelectInput label={label} options={options} value={value} onChange={onChange} />;
}

function CreateCategory({
  categories,
  tree,
  parentId,
  onDone,
}: {
  categories: Category[];
  tree: CategoryNode[];
  parentId?: string;
  onDone: (c: Category) => void;
}) {
  const t = useT();
  const notify = useNotify();
  const queryClient = useQueryClient();
  const [parent, setParent] = useState(parentId ?? ROOT);
  const [name, setName] = useState('');
  const [slug, setSlug] = useState('');
  const [regulated, setRegulated] = useState(false);
  const create = useMutation({
    mutationFn: () =>
      ok(
        api.POST('/v1/categories', {
          body: {
            name: name.trim(),
            slug: slug.trim(),
            ...(parent !== ROOT ? { parentId: parent } : {}),
            regulated,
          },
        }),
      ),
    onSuccess: async (c) => {
      notify(t('catalog.categories.created', { name: c.name }));
      await queryClient.invalidateQueries({ queryKey: catalogKeys.categories });
      onDone(c);
    },
  });
  return (
    <Form
      validationBehavior="aria"
      onSubmit={(e) => {
        e.preventDefault();
        create.mutate();
      }}
    >
      <TextInput
        label={t('catalog.categories.name')}
        name="name"
        isRequired
        maxLength={100}
        value={name}
        onChange={setName}
      />
      <TextInput
        label={t('catalog.categories.slug')}
        description={t('catalog.categories.slugHint')}
        name="slug"
        isRequired
        maxLength={100}
        value={slug}
        onChange={setSlug}
      />
      <ParentPicker
        label={t('catalog.categories.parent')}
        tree={tree}
        value={parent}
        onChange={setParent}
      />
      {parent !== ROOT ? (
        <p className="hint">
          {t('catalog.categories.under', { path: categoryPath(categories, parent) })}
        </p>
      ) : null}
      <label className="checkbox">
        <input
          type="checkbox"
          checked={regulated}
          onChange={(e) => setRegulated(e.target.checked)}
        />
        {t('catalog.categories.regulatedLabel')}
      </label>
      <ProblemAlert error={create.error} />
      <div className="row dialog-actions">
        <Button type="submit" className="button" isDisabled={create.isPending}>
          {t('catalog.categories.create')}
        </Button>
      </div>
    </Form>
  );
}

function CategoryPanel({
  category,
  categories,
  tree,
  onCreated,
}: {
  category: Category;
  categories: Category[];
  tree: CategoryNode[];
  onCreated: (c: Category) => void;
}) {
  const t = useT();
  const notify = useNotify();
  const queryClient = useQueryClient();
  const [name, setName] = useState(category.name);
  const [slug, setSlug] = useState(category.slug);
  const [parent, setParent] = useState(category.parentId ?? ROOT);
  const refresh = () => queryClient.invalidateQueries({ queryKey: catalogKeys.categories });
  const rename = useMutation({
    mutationFn: () =>
      ok(
        api.PATCH('/v1/categories/{id}', {
          params: { path: { id: category.id } },
          body: { name: name.trim(), slug: slug.trim() },
        }),
      ),
    onSuccess: async (c) => {
      notify(t('catalog.categories.renamed', { name: c.name }));
      await refresh();
    },
  });
  const move = useMutation({
    mutationFn: () =>
      ok(
        api.POST('/v1/categories/{id}/move', {
          params: { path: { id: category.id } },
          body: { newParentId: parent === ROOT ? null : parent },
        }),
      ),
    onSuccess: async (c) => {
      notify(t('catalog.categories.moved', { name: c.name }));
      await refresh();
      onCreated(c);
    },
  });
  return (
    <Section
      title={t('catalog.categories.selectedNamed', { name: category.name })}
      id="category-selected"
    >
      <dl className="facts">
        <dt>{t('catalog.categories.path')}</dt>
        <dd>{categoryPath(categories, category.id)}</dd>
        <dt>{t('catalog.categories.slug')}</dt>
        <dd>
          <code>{category.slug}</code>
        </dd>
        <dt>{t('catalog.categories.regulatedLabel')}</dt>
        <dd>{category.regulated ? t('catalog.yes') : t('catalog.no')}</dd>
      </dl>
      <div className="row">
        <DialogButton
          label={t('catalog.categories.newChild')}
          title={t('catalog.categories.newChildOf', { name: category.name })}
          className="button secondary"
        >
          {(close) => (
            <CreateCategory
              categories={categories}
              tree={tree}
              parentId={category.id}
              onDone={(c) => {
                onCreated(c);
                close();
              }}
            />
          )}
        </DialogButton>
      </div>
      <h3>{t('catalog.categories.rename')}</h3>
      <Form
        validationBehavior="aria"
        onSubmit={(e) => {
          e.preventDefault();
          rename.mutate();
        }}
      >
        <div className="row">
          <TextInput
            label={t('catalog.categories.name')}
            name="name"
            isRequired
            maxLength={100}
            value={name}
            onChange={setName}
          />
          <TextInput
            label={t('catalog.categories.slug')}
            name="slug"
            isRequired
            maxLength={100}
            value={slug}
            onChange={setSlug}
          />
        </div>
        <ProblemAlert error={rename.error} />
        <Button type="submit" className="button" isDisabled={rename.isPending}>
          {t('catalog.categories.saveName')}
        </Button>
      </Form>
      <h3>{t('catalog.categories.move')}</h3>
      <Form
        onSubmit={(e) => {
          e.preventDefault();
          move.mutate();
        }}
      >
        <ParentPicker
          label={t('catalog.categories.newParent')}
          tree={tree}
          value={parent}
          onChange={setParent}
          exclude={category.id}
        />
        <ProblemAlert error={move.error} />
        <Button
          type="submit"
          className="button"
          isDisabled={move.isPending || parent === (category.parentId ?? ROOT)}
        >
          {t('catalog.categories.moveSubmit')}
        </Button>
      </Form>
    </Section>
  );
}
