import { useMemo, useState } from 'react';
import { useInfiniteQuery, useMutation, useQueryClient } from '@tanstack/react-query';
import { ok } from '@emporia/sdk';
import { Button, Form } from 'react-aria-components';
import { Link, useNavigate } from 'react-router';
import { useT } from '../../i18n';
import { api } from '../../sdk';
import { MoneyInput, SelectInput, TextInput } from '../../ui/fields';
import { Money, toMinor } from '../../ui/money';
import { useNotify } from '../../ui/notify';
import { Loading, Page, Section } from '../../ui/page';
import { ProblemAlert } from '../../ui/problem';
import { DataTable } from '../../ui/table';
import { DialogButton } from '../../ui/dialogs';
import {
  catalogKeys,
  categoryPath,
  categoryTree,
  CURRENCIES,
  flatTree,
  parseAttributes,
  useCategories,
  type Category,
  type Currency,
  type Product,
} from './data';

const ALL = 'all';

export function StatusBadge({ status }: { status: string }) {
  const t = useT();
  const tone = status === 'active' ? 'ok' : status === 'archived' ? 'danger' : 'warn';
  return <span className={`badge ${tone}`}>{t(`catalog.status.${status}`)}</span>;
}

/** Products (by category, newest pages on demand) and the creation of one with its SKUs. */
export function ProductsScreen() {
  const t = useT();
  const navigate = useNavigate();
  const categories = useCategories();
  const all = useMemo(() => categories.data ?? [], [categories.data]);
  const tree = useMemo(() => categoryTree(all), [all]);
  const [categoryId, setCategoryId] = useState<string>(ALL);
  const products = useInfiniteQuery({
    queryKey: [...catalogKeys.products, categoryId],
    queryFn: ({ pageParam }) =>
      ok(
        api.GET('/v1/products', {
          params: {
            query: {
              limit: 20,
              cursor: pageParam,
              ...(categoryId !== ALL ? { categoryId } : {}),
            },
          },
        }),
      ),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  const rows: Product[] = products.data?.pages.flatMap((p) => p.items) ?? [];
  const options = [
    { id: ALL, label: t('catalog.products.allCategories') },
    ...flatTree(tree).map(({ category, depth }) => ({
      id: category.id,
      label: `${'— '.repeat(depth)}${category.name}`,
    })),
  ];

  return (
    <Page
      title={t('catalog.products.title')}
      actions={
        <DialogButton label={t('catalog.products.new')} title={t('catalog.products.new')}>
          {(close) => (
            <CreateProduct
              categories={all}
              onDone={(id) => {
                close();
                void navigate(`/catalog/products/${id}`);
              }}
            />
          )}
        </DialogButton>
      }
    >
      <Section title={t('catalog.products.filter')} id="product-filter">
        <SelectInput
          label={t('catalog.products.category')}
          options={options}
          value={categoryId}
          onChange={setCategoryId}
        />
      </Section>
      {products.isPending ? <Loading /> : null}
      <ProblemAlert error={products.error} onRetry={() => void products.refetch()} />
      {products.isSuccess ? (
        <DataTable
          caption={t('catalog.products.caption')}
          rows={rows}
          rowKey={(p) => p.id}
          empty={t('catalog.products.empty')}
          columns={[
            {
              key: 'title',
              header: t('catalog.products.productTitle'),
              render: (p) => <Link to={`/catalog/products/${p.id}`}>{p.title}</Link>,
            },
            {
              key: 'category',
              header: t('catalog.products.category'),
              render: (p) => categoryPath(all, p.categoryId),
            },
            {
              key: 'status',
              header: t('app.status'),
              render: (p) => <StatusBadge status={p.status} />,
            },
            {
              key: 'skus',
              header: t('catalog.products.skus'),
              render: (p) => p.skus.map((s) => s.code).join(', '),
            },
            {
              key: 'price',
              header: t('catalog.products.price'),
              numeric: true,
              render: (p) => {
                const prices = p.skus.map((s) => s.price);
                if (prices.length === 0) return '—';
                const min = prices.reduce((a, b) => (b.amountMinor < a.amountMinor ? b : a));
                return <Money value={min} />;
              },
            },
            {
              key: 'stock',
              header: t('catalog.products.stock'),
              numeric: true,
              render: (p) => p.skus.reduce((n, s) => n + s.stockOnHand, 0),
            },
          ]}
        />
      ) : null}
      {products.hasNextPage ? (
        <button
          type="button"
          className="button secondary"
          disabled={products.isFetchingNextPage}
          onClick={() => void products.fetchNextPage()}
        >
          {t('app.more')}
        </button>
      ) : null}
    </Page>
  );
}

interface SkuDraft {
  key: number;
  code: string;
  price: number;
  attributes: string;
}

function CreateProduct({
  categories,
  onDone,
}: {
  categories: Category[];
  onDone: (id: string) => void;
}) {
  const t = useT();
  const notify = useNotify();
  const queryClient = useQueryClient();
  const tree = useMemo(() => categoryTree(categories), [categories]);
  const [title, setTitle] = useState('');
  const [brand, setBrand] = useState('');
  const [description, setDescription] = useState('');
  const [categoryId, setCategoryId] = useState<string | null>(null);
  const [currency, setCurrency] = useState<Currency>('CNY');
  const [publish, setPublish] = useState<'draft' | 'active'>('draft');
  const [skus, setSkus] = useState<SkuDraft[]>([{ key: 1, code: '', price: NaN, attributes: '' }]);
  const update = (key: number, change: Partial<SkuDraft>) =>
    setSkus((list) => list.map((s) => (s.key === key ? { ...s, ...change } : s)));
  const create = useMutation({
    mutationFn: () =>
      ok(
        api.POST('/v1/products', {
          body: {
            title: title.trim(),
            ...(brand.trim() ? { brand: brand.trim() } : {}),
            ...(description.trim() ? { description: description.trim() } : {}),
            categoryId: categoryId ?? '',
            status: publish,
            skus: skus.map((s) => ({
              code: s.code.trim(),
              price: { amountMinor: toMinor(s.price, currency), currency },
              attributes: parseAttributes(s.attributes),
            })),
          },
        }),
      ),
    onSuccess: async (p) => {
      notify(t('catalog.products.created', { title: p.title }));
      await queryClient.invalidateQueries({ queryKey: catalogKeys.products });
      onDone(p.id);
    },
  });
  return (
    <Form
      className="wide-form"
      validationBehavior="aria"
      onSubmit={(e) => {
        e.preventDefault();
        create.mutate();
      }}
    >
      <TextInput
        label={t('catalog.products.productTitle')}
        name="title"
        isRequired
        maxLength={200}
        value={title}
        onChange={setTitle}
      />
      <div className="row">
        <TextInput
          label={t('catalog.products.brand')}
          name="brand"
          maxLength={100}
          value={brand}
          onChange={setBrand}
        />
        <SelectInput
          label={t('catalog.products.category')}
          name="categoryId"
          isRequired
          options={flatTree(tree).map(({ category, depth }) => ({
            id: category.id,
            label: `${'— '.repeat(depth)}${category.name}`,
          }))}
          value={categoryId}
          onChange={setCategoryId}
        />
      </div>
      <TextInput
        label={t('catalog.products.description')}
        name="description"
        multiline
        maxLength={10000}
        value={description}
        onChange={setDescription}
      />
      <div className="row">
        <SelectInput
          label={t('catalog.products.currency')}
          options={CURRENCIES.map((c) => ({ id: c, label: c }))}
          value={currency}
          onChange={setCurrency}
        />
        <SelectInput
          label={t('catalog.products.initialStatus')}
          options={[
            { id: 'draft', label: t('catalog.status.draft') },
            { id: 'active', label: t('catalog.status.active') },
          ]}
          value={publish}
          onChange={setPublish}
        />
      </div>
      <fieldset className="sku-drafts">
        <legend>{t('catalog.products.skus')}</legend>
        {skus.map((s, i) => (
          <div className="row sku-draft" key={s.key}>
            <TextInput
              label={t('catalog.products.skuCode', { n: i + 1 })}
              name={`skus.${i}.code`}
              isRequired
              value={s.code}
              onChange={(code) => update(s.key, { code })}
            />
            <MoneyInput
              label={t('catalog.products.skuPrice', { n: i + 1 })}
              name={`skus.${i}.price`}
              currency={currency}
              isRequired
              value={s.price}
              onChange={(price) => update(s.key, { price })}
            />
            <TextInput
              label={t('catalog.products.skuAttributes', { n: i + 1 })}
              description={t('catalog.products.attributesHint')}
              value={s.attributes}
              onChange={(attributes) => update(s.key, { attributes })}
            />
            {skus.length > 1 ? (
              <Button
                className="button secondary"
                onPress={() => setSkus((list) => list.filter((x) => x.key !== s.key))}
              >
                {t('catalog.products.removeSku', { n: i + 1 })}
              </Button>
            ) : null}
          </div>
        ))}
        <Button
          className="button secondary"
          onPress={() =>
            setSkus((list) => [
              ...list,
              {
                key: Math.max(...list.map((x) => x.key)) + 1,
                code: '',
                price: NaN,
                attributes: '',
              },
            ])
          }
        >
          {t('catalog.products.addSku')}
        </Button>
      </fieldset>
      <ProblemAlert error={create.error} />
      <div className="row dialog-actions">
        <Button type="submit" className="button" isDisabled={create.isPending}>
          {t('catalog.products.create')}
        </Button>
      </div>
    </Form>
  );
}
