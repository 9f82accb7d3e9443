import { useMemo, useState } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { ok } from '@emporia/sdk';
import { FormattedDate } from 'react-intl';
import { Button, Form } from 'react-aria-components';
import { Link, useParams } from 'react-router';
import { useT } from '../../i18n';
import { api } from '../../sdk';
import { MoneyInput, NumberInput, SelectInput, TextInput } from '../../ui/fields';
import { Money, toMajor, toMinor } from '../../ui/money';
import { useNotify } from '../../ui/notify';
import { Loading, Page, Section } from '../../ui/page';
import { ProblemAlert } from '../../ui/problem';
import { DataTable } from '../../ui/table';
import { DialogButton, FormActions } from '../../ui/dialogs';
import {
  catalogKeys,
  categoryPath,
  categoryTree,
  flatTree,
  formatAttributes,
  parseAttributes,
  PRODUCT_STATUSES,
  useCategories,
  useWarehouses,
  type Product,
  type ProductStatus,
  type Sku,
} from './data';
import { StatusBadge } from './products';

/** One product: its content and status, SKUs and prices, stock per warehouse, tags, schedule. */
export function ProductDetailScreen() {
  const t = useT();
  const { id = '' } = useParams();
  const product = useQuery({
    queryKey: catalogKeys.product(id),
    queryFn: () =>
      ok(api.GET('/v1/products/{id}', { params: { path: { id } } })) as Promise<Product>,
  });
  const p = product.data;
  return (
    <Page title={p ? p.title : t('catalog.product.title')}>
      <p>
        <Link to="/catalog/products">{t('catalog.product.back')}</Link>
      </p>
      {product.isPending ? <Loading /> : null}
      <ProblemAlert error={product.error} onRetry={() => void product.refetch()} />
      {p ? (
        <>
          <ProductSummary product={p} />
          <EditProduct key={`edit-${p.version}`} product={p} />
          <SkusSection product={p} />
          {p.skus.map((s) => (
            <StockSection key={s.id} product={p} sku={s} />
          ))}
          <TagsSection key={`tags-${p.version}`} product={p} />
          <ScheduleSection key={`schedule-${p.version}`} product={p} />
        </>
      ) : null}
    </Page>
  );
}

function ProductSummary({ product }: { product: Product }) {
  const t = useT();
  const categories = useCategories();
  return (
    <dl className="facts">
      <dt>{t('app.status')}</dt>
      <dd>
        <StatusBadge status={product.status} />
      </dd>
      <dt>{t('catalog.products.category')}</dt>
      <dd>{categoryPath(categories.data ?? [], product.categoryId)}</dd>
      <dt>{t('catalog.product.tags')}</dt>
      <dd>{product.tags.length ? product.tags.join('、') : '—'}</dd>
      {product.complianceStatus ? (
        <>
          <dt>{t('catalog.product.compliance')}</dt>
          <dd>{t(`catalog.compliance.${product.complianceStatus}`)}</dd>
        </>
      ) : null}
      <dt>{t('catalog.product.updated')}</dt>
      <dd>
        <FormattedDate value={product.updatedAt} dateStyle="medium" timeStyle="short" />
      </dd>
      <dt>{t('catalog.product.version')}</dt>
      <dd>{product.version}</dd>
    </dl>
  );
}

function useRefreshProduct(id: string) {
  const queryClient = useQueryClient();
  return async (fresh?: Product) => {
    if (fresh) queryClient.setQueryData(catalogKeys.product(id), fresh);
    await Promise.all([
      queryClient.invalidateQueries({ queryKey: catalogKeys.product(id) }),
      queryClient.invalidateQueries({ queryKey: catalogKeys.products }),
    ]);
  };
}

function EditProduct({ product }: { product: Product }) {
  const t = useT();
  const notify = useNotify();
  const refresh = useRefreshProduct(product.id);
  const categories = useCategories();
  const tree = useMemo(() => categoryTree(categories.data ?? []), [categories.data]);
  const [title, setTitle] = useState(product.title);
  const [brand, setBrand] = useState(product.brand);
  const [description, setDescription] = useState(product.description);
  const [status, setStatus] = useState<ProductStatus>(product.status);
  const [categoryId, setCategoryId] = useState(product.categoryId);
  const save = useMutation({
    mutationFn: () =>
      ok(
        api.PATCH('/v1/products/{id}', {
          params: { path: { id: product.id } },
          body: {
            title: title.trim(),
            brand: brand.trim(),
            description,
            status,
            categoryId,
            expectedVersion: product.version,
          },
        }),
      ),
    onSuccess: async (p) => {
      notify(t('catalog.product.saved'));
      await refresh(p);
    },
  });
  return (
    <Section title={t('catalog.product.edit')} id="product-edit">
      <Form
        validationBehavior="aria"
        onSubmit={(e) => {
          e.preventDefault();
          save.mutate();
        }}
      >
        <div className="row">
          <TextInput
            label={t('catalog.products.productTitle')}
            name="title"
            isRequired
            maxLength={200}
            value={title}
            onChange={setTitle}
          />
          <TextInput
            label={t('catalog.products.brand')}
            name="brand"
            maxLength={100}
            value={brand}
            onChange={setBrand}
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
            label={t('app.status')}
            name="status"
            options={PRODUCT_STATUSES.map((s) => ({ id: s, label: t(`catalog.status.${s}`) }))}
            value={status}
            onChange={setStatus}
          />
          <SelectInput
            label={t('catalog.products.category')}
            name="categoryId"
            options={flatTree(tree).map(({ category, depth }) => ({
              id: category.id,
              label: `${'— '.repeat(depth)}${category.name}`,
            }))}
            value={categoryId}
            onChange={setCategoryId}
          />
        </div>
        <ProblemAlert error={save.error} />
        <Button type="submit" className="button" isDisabled={save.isPending}>
          {t('app.save')}
        </Button>
      </Form>
    </Section>
  );
}

function SkusSection({ product }: { product: Product }) {
  const t = useT();
  return (
    <Section title={t('catalog.product.skus')} id="product-skus">
      <DataTable
        caption={t('catalog.product.skusCaption')}
        rows={product.skus}
        rowKey={(s) => s.id}
        columns={[
          { key: 'code', header: t('catalog.product.code'), render: (s) => <code>{s.code}</code> },
          {
            key: 'attrs',
            header: t('catalog.product.attributes'),
            render: (s) => formatAttributes(s.attributes) || '—',
          },
          {
            key: 'price',
            header: t('catalog.products.price'),
            numeric: true,
            render: (s) => <Money value={s.price} />,
          },
          {
            key: 'original',
            header: t('catalog.product.originalPrice'),
            numeric: true,
            render: (s) => <Money value={s.originalPrice} />,
          },
          {
            key: 'stock',
            header: t('catalog.product.onHand'),
            numeric: true,
            render: (s) => s.stockOnHand,
          },
          {
            key: 'actions',
            header: t('app.actions'),
            render: (s) => (
              <div className="row">
                <DialogButton
                  label={t('catalog.product.setPriceOf', { code: s.code })}
                  title={t('catalog.product.setPriceOf', { code: s.code })}
                  className="button secondary"
                >
                  {(close) => <SetPrice product={product} sku={s} onDone={close} />}
                </DialogButton>
                <DialogButton
                  label={t('catalog.product.historyOf', { code: s.code })}
                  title={t('catalog.product.historyOf', { code: s.code })}
                  className="button secondary"
                >
                  {(close) => <PriceHistory sku={s} close={close} />}
                </DialogButton>
              </div>
            ),
          },
        ]}
      />
      <DialogButton
        label={t('catalog.product.addSku')}
        title={t('catalog.product.addSku')}
        className="button secondary"
      >
        {(close) => <AddSku product={product} onDone={close} />}
      </DialogButton>
    </Section>
  );
}

function SetPrice({ product, sku, onDone }: { product: Product; sku: Sku; onDone: () => void }) {
  const t = useT();
  const notify = useNotify();
  const refresh = useRefreshProduct(product.id);
  const queryClient = useQueryClient();
  const currency = sku.price.currency;
  const [price, setPrice] = useState(toMajor(sku.price));
  const [original, setOriginal] = useState(sku.originalPrice ? toMajor(sku.originalPrice) : NaN);
  const [reason, setReason] = useState('');
  const save = useMutation({
    mutationFn: () =>
      ok(
        api.PUT('/v1/admin/skus/{skuId}/price', {
          params: { path: { skuId: sku.id } },
          body: {
            price: { amountMinor: toMinor(price, currency), currency },
            originalPrice: Number.isNaN(original)
              ? null
              : { amountMinor: toMinor(original, currency), currency },
            reason: reason.trim(),
          },
        }),
      ),
    onSuccess: async (r) => {
      notify(t('catalog.product.priceSet', { code: sku.code }));
      await queryClient.invalidateQueries({ queryKey: catalogKeys.priceHistory(sku.id) });
      await refresh(r.product as Product);
      onDone();
    },
  });
  return (
    <Form
      validationBehavior="aria"
      onSubmit={(e) => {
        e.preventDefault();
        save.mutate();
      }}
    >
      <MoneyInput
        label={t('catalog.product.newPrice')}
        name="price.amountMinor"
        currency={currency}
        isRequired
        value={price}
        onChange={setPrice}
      />
      <MoneyInput
        label={t('catalog.product.originalPrice')}
        description={t('catalog.product.originalHint')}
        name="originalPrice.amountMinor"
        currency={currency}
        value={original}
        onChange={setOriginal}
      />
      <TextInput
        label={t('catalog.product.reason')}
        name="reason"
        isRequired
        maxLength={200}
        value={reason}
        onChange={setReason}
      />
      <FormActions
        error={save.error}
        pending={save.isPending}
        submitLabel={t('app.save')}
        onCancel={onDone}
      />
    </Form>
  );
}

function PriceHistory({ sku, close }: { sku: Sku; close: () => void }) {
  const t = useT();
  const history = useQuery({
    queryKey: catalogKeys.priceHistory(sku.id),
    queryFn: () =>
      ok(
        api.GET('/v1/admin/skus/{skuId}/price-history', {
          params: { path: { skuId: sku.id }, query: { limit: 50 } },
        }),
      ),
  });
  return (
    <>
      {history.isPending ? <Loading /> : null}
      <ProblemAlert error={history.error} onRetry={() => void history.refetch()} />
      {history.data ? (
        <>
          <p>
            {t('catalog.product.lowest30d')} <Money value={history.data.lowestPrice30d} />
          </p>
          <DataTable
            caption={t('catalog.product.historyOf', { code: sku.code })}
            rows={history.data.items}
            rowKey={(c) => `${c.changedAt}-${c.price.amountMinor}`}
            columns={[
              {
                key: 'at',
                header: t('catalog.product.changedAt'),
                render: (c) => (
                  <FormattedDate value={c.changedAt} dateStyle="medium" timeStyle="short" />
                ),
              },
              {
                key: 'from',
                header: t('catalog.product.previousPrice'),
                numeric: true,
                render: (c) => <Money value={c.previousPrice} />,
              },
              {
                key: 'to',
                header: t('catalog.product.newPrice'),
                numeric: true,
                render: (c) => <Money value={c.price} />,
              },
              { key: 'reason', header: t('catalog.product.reason'), render: (c) => c.reason },
            ]}
          />
        </>
      ) : null}
      <div className="row dialog-actions">
        <Button className="button secondary" onPress={close}>
          {t('app.close')}
        </Button>
      </div>
    </>
  );
}

function AddSku({ product, onDone }: { product: Product; onDone: () => void }) {
  const t = useT();
  const notify = useNotify();
  const refresh = useRefreshProduct(product.id);
  const currency = product.skus[0]?.price.currency ?? 'CNY';
  const [code, setCode] = useState('');
  const [price, setPrice] = useState(NaN);
  const [attributes, setAttributes] = useState('');
  const save = useMutation({
    mutationFn: () =>
      ok(
        api.PATCH('/v1/products/{id}', {
          params: { path: { id: product.id } },
          body: {
            upsertSkus: [
              {
                code: code.trim(),
                price: { amountMinor: toMinor(price, currency), currency },
                attributes: parseAttributes(attributes),
              },
            ],
            expectedVersion: product.version,
          },
        }),
      ),
    onSuccess: async (p) => {
      notify(t('catalog.product.skuAdded', { code: code.trim() }));
      await refresh(p);
      onDone();
    },
  });
  return (
    <Form
      validationBehavior="aria"
      onSubmit={(e) => {
        e.preventDefault();
        save.mutate();
      }}
    >
      <TextInput label={t('catalog.product.code')} isRequired value={code} onChange={setCode} />
      <MoneyInput
        label={t('catalog.products.price')}
        currency={currency}
        isRequired
        value={price}
        onChange={setPrice}
      />
      <TextInput
        label={t('catalog.product.attributes')}
        description={t('catalog.products.attributesHint')}
        value={attributes}
        onChange={setAttributes}
      />
      <FormActions
        error={save.error}
        pending={save.isPending}
        submitLabel={t('catalog.product.addSku')}
        onCancel={onDone}
      />
    </Form>
  );
}

/** One SKU's stock in each warehouse, its adjustment and its low-stock thresholds. */
function StockSection({ product, sku }: { product: Product; sku: Sku }) {
  const t = useT();
  const notify = useNotify();
  const queryClient = useQueryClient();
  const warehouses = useWarehouses();
  const stock = useQuery({
    queryKey: catalogKeys.stock(sku.id),
    queryFn: () => ok(api.GET('/v1/skus/{skuId}/stock', { params: { path: { skuId: sku.id } } })),
  });
  const thresholds = useQuery({
    queryKey: catalogKeys.thresholds(sku.id),
    queryFn: () =>
      ok(api.GET('/v1/admin/stock-thresholds', { params: { query: { skuId: sku.id } } })),
  });
  const codes = [
    ...new Set([
      ...(warehouses.data ?? []).map((w) => w.code),
      ...(stock.data?.levels ?? []).map((l) => l.warehouseCode),
    ]),
  ].sort();
  const rows = codes.map((code) => ({
    code,
    name: warehouses.data?.find((w) => w.code === code)?.name ?? code,
    level: stock.data?.levels.find((l) => l.warehouseCode === code),
    threshold: thresholds.data?.items.find((x) => x.warehouseCode === code),
  }));
  const options = codes.map((c) => ({
    id: c,
    label: `${c} · ${warehouses.data?.find((w) => w.code === c)?.name ?? ''}`,
  }));

  const [warehouse, setWarehouse] = useState<string | null>(null);
  const [delta, setDelta] = useState(NaN);
  const [reason, setReason] = useState('');
  const refreshStock = async () => {
    await Promise.all([
      queryClient.invalidateQueries({ queryKey: catalogKeys.stock(sku.id) }),
      queryClient.invalidateQueries({ queryKey: catalogKeys.thresholds(sku.id) }),
      queryClient.invalidateQueries({ queryKey: catalogKeys.product(product.id) }),
      queryClient.invalidateQueries({ queryKey: catalogKeys.products }),
      queryClient.invalidateQueries({ queryKey: catalogKeys.lowStock }),
    ]);
  };
  const adjust = useMutation({
    mutationFn: () =>
      ok(
        api.POST('/v1/skus/{skuId}/stock-adjustments', {
          params: { path: { skuId: sku.id } },
          body: {
            warehouseCode: warehouse ?? '',
            delta,
            ...(reason.trim() ? { reason: reason.trim() } : {}),
          },
        }),
      ),
    onSuccess: async (level) => {
      notify(
        t('catalog.stock.adjusted', {
          code: sku.code,
          warehouse: level.warehouseCode,
          onHand: level.onHand,
        }),
      );
      setDelta(NaN);
      setReason('');
      await refreshStock();
    },
  });

  const [thWarehouse, setThWarehouse] = useState<string | null>(null);
  const [threshold, setThreshold] = useState(NaN);
  const setLimit = useMutation({
    mutationFn: () =>
      ok(
        api.PUT('/v1/admin/skus/{skuId}/stock-thresholds/{warehouseCode}', {
          params: { path: { skuId: sku.id, warehouseCode: thWarehouse ?? '' } },
          body: { threshold },
        }),
      ),
    onSuccess: async (th) => {
      notify(
        t('catalog.stock.thresholdSet', {
          code: sku.code,
          warehouse: th.warehouseCode,
          threshold: th.threshold,
        }),
      );
      await refreshStock();
    },
  });

  return (
    <Section title={t('catalog.stock.title', { code: sku.code })} id={`stock-${sku.id}`}>
      {stock.isPending || warehouses.isPending ? <Loading /> : null}
      <ProblemAlert error={stock.error ?? warehouses.error ?? thresholds.error} />
      <DataTable
        caption={t('catalog.stock.caption', { code: sku.code })}
        rows={rows}
        rowKey={(r) => r.code}
        empty={t('catalog.stock.noWarehouses')}
        columns={[
          {
            key: 'wh',
            header: t('catalog.stock.warehouse'),
            render: (r) => (
              <>
                <code>{r.code}</code> {r.name !== r.code ? r.name : null}
              </>
            ),
          },
          {
            key: 'onHand',
            header: t('catalog.product.onHand'),
            numeric: true,
            render: (r) => r.level?.onHand ?? 0,
          },
          {
            key: 'threshold',
            header: t('catalog.stock.threshold'),
            numeric: true,
            render: (r) => (r.threshold && r.threshold.threshold > 0 ? r.threshold.threshold : '—'),
          },
          {
            key: 'low',
            header: t('catalog.stock.state'),
            render: (r) =>
              r.threshold?.low ? (
                <span className="badge danger">{t('catalog.stock.low')}</span>
              ) : (
                <span className="badge ok">{t('catalog.stock.ok')}</span>
              ),
          },
        ]}
      />
      <p className="total">
        {t('catalog.stock.total', { total: stock.data?.totalOnHand ?? sku.stockOnHand })}
      </p>
      <div className="grid">
        <Form
          aria-label={t('catalog.stock.adjustOf', { code: sku.code })}
          validationBehavior="aria"
          onSubmit={(e) => {
            e.preventDefault();
            adjust.mutate();
          }}
        >
          <h3>{t('catalog.stock.adjustOf', { code: sku.code })}</h3>
          <SelectInput
            label={t('catalog.stock.warehouse')}
            name="warehouseCode"
            isRequired
            options={options}
            value={warehouse}
            onChange={setWarehouse}
          />
          <NumberInput
            label={t('catalog.stock.delta')}
            description={t('catalog.stock.deltaHint')}
            name="delta"
            isRequired
            value={delta}
            onChange={setDelta}
            step={1}
          />
          <TextInput
            label={t('catalog.product.reason')}
            name="reason"
            maxLength={200}
            value={reason}
            onChange={setReason}
          />
          <ProblemAlert error={adjust.error} />
          <Button type="submit" className="button" isDisabled={adjust.isPending}>
            {t('catalog.stock.adjust')}
          </Button>
        </Form>
        <Form
          aria-label={t('catalog.stock.thresholdOf', { code: sku.code })}
          validationBehavior="aria"
          onSubmit={(e) => {
            e.preventDefault();
            setLimit.mutate();
          }}
        >
          <h3>{t('catalog.stock.thresholdOf', { code: sku.code })}</h3>
          <SelectInput
            label={t('catalog.stock.warehouse')}
            isRequired
            options={options}
            value={thWarehouse}
            onChange={setThWarehouse}
          />
          <NumberInput
            label={t('catalog.stock.threshold')}
            description={t('catalog.stock.thresholdHint')}
            name="threshold"
            isRequired
            minValue={0}
            step={1}
            value={threshold}
            onChange={setThreshold}
          />
          <ProblemAlert error={setLimit.error} />
          <Button type="submit" className="button" isDisabled={setLimit.isPending}>
            {t('catalog.stock.setThreshold')}
          </Button>
        </Form>
      </div>
    </Section>
  );
}

function TagsSection({ product }: { product: Product }) {
  const t = useT();
  const notify = useNotify();
  const refresh = useRefreshProduct(product.id);
  const [tags, setTags] = useState((product.manualTags ?? []).join('，'));
  const save = useMutation({
    mutationFn: () =>
      ok(
        api.PUT('/v1/admin/products/{id}/tags', {
          params: { path: { id: product.id } },
          body: {
            tags: [
              ...new Set(
                tags
                  .split(/[,，、\s]+/)
                  .map((x) => x.trim())
                  .filter(Boolean),
              ),
            ],
            expectedVersion: product.version,
          },
        }),
      ),
    onSuccess: async (p) => {
      notify(t('catalog.product.tagsSaved'));
      await refresh(p as Product);
    },
  });
  return (
    <Section title={t('catalog.product.tags')} id="product-tags">
      <p>
        {t('catalog.product.allTags')} {product.tags.length ? product.tags.join('、') : '—'}
      </p>
      <Form
        validationBehavior="aria"
        onSubmit={(e) => {
          e.preventDefault();
          save.mutate();
        }}
      >
        <TextInput
          label={t('catalog.product.manualTags')}
          description={t('catalog.product.tagsHint')}
          name="tags"
          value={tags}
          onChange={setTags}
        />
        <ProblemAlert error={save.error} />
        <Button type="submit" className="button" isDisabled={save.isPending}>
          {t('catalog.product.saveTags')}
        </Button>
      </Form>
    </Section>
  );
}

/** `2026-12-12T00:00:00Z` → the local `2026-12-12T08:00` of a datetime-local input. */
function toLocalInput(iso: string | null | undefined): string {
  if (!iso) return '';
  const d = new Date(iso);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

const fromLocalInput = (v: string) => (v ? new Date(v).toISOString() : null);

function ScheduleSection({ product }: { product: Product }) {
  const t = useT();
  const notify = useNotify();
  const refresh = useRefreshProduct(product.id);
  const [publishAt, setPublishAt] = useState(toLocalInput(product.publishAt));
  const [unpublishAt, setUnpublishAt] = useState(toLocalInput(product.unpublishAt));
  const save = useMutation({
    mutationFn: () =>
      ok(
        api.PUT('/v1/admin/products/{id}/listing-schedule', {
          params: { path: { id: product.id } },
          body: {
            publishAt: fromLocalInput(publishAt),
            unpublishAt: fromLocalInput(unpublishAt),
            expectedVersion: product.version,
          },
        }),
      ),
    onSuccess: async (p) => {
      notify(t('catalog.product.scheduleSaved'));
      await refresh(p as Product);
    },
  });
  return (
    <Section title={t('catalog.product.schedule')} id="product-schedule">
      <Form
        validationBehavior="aria"
        onSubmit={(e) => {
          e.preventDefault();
          save.mutate();
        }}
      >
        <div className="row">
          <label className="field">
            <span>{t('catalog.product.publishAt')}</span>
            <input
              type="datetime-local"
              value={publishAt}
              onChange={(e) => setPublishAt(e.target.value)}
            />
          </label>
          <label className="field">
            <span>{t('catalog.product.unpublishAt')}</span>
            <input
              type="datetime-local"
              value={unpublishAt}
              onChange={(e) => setUnpublishAt(e.target.value)}
            />
          </label>
        </div>
        <p className="hint">{t('catalog.product.scheduleHint')}</p>
        <ProblemAlert error={save.error} />
        <Button type="submit" className="button" isDisabled={save.isPending}>
          {t('catalog.product.saveSchedule')}
        </Button>
      </Form>
    </Section>
  );
}
