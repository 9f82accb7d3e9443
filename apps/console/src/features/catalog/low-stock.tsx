import { useState } from 'react';
import { useInfiniteQuery } from '@tanstack/react-query';
import { ok } from '@emporia/sdk';
import { FormattedDate } from 'react-intl';
import { Link } from 'react-router';
import { useT } from '../../i18n';
import { api } from '../../sdk';
import { SelectInput } from '../../ui/fields';
import { Loading, Page, Section } from '../../ui/page';
import { ProblemAlert } from '../../ui/problem';
import { DataTable } from '../../ui/table';
import { catalogKeys, useWarehouses } from './data';

const ALL = 'all';

/** SKUs at or under their threshold in a warehouse, longest low first. */
export function LowStockScreen() {
  const t = useT();
  const warehouses = useWarehouses();
  const [warehouse, setWarehouse] = useState<string>(ALL);
  const list = useInfiniteQuery({
    queryKey: [...catalogKeys.lowStock, warehouse],
    queryFn: ({ pageParam }) =>
      ok(
        api.GET('/v1/admin/low-stock', {
          params: {
            query: {
              limit: 50,
              cursor: pageParam,
              ...(warehouse !== ALL ? { warehouse } : {}),
            },
          },
        }),
      ),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  const rows = list.data?.pages.flatMap((p) => p.items) ?? [];
  return (
    <Page title={t('catalog.lowStock.title')}>
      <Section title={t('catalog.products.filter')} id="low-stock-filter">
        <SelectInput
          label={t('catalog.stock.warehouse')}
          options={[
            { id: ALL, label: t('catalog.lowStock.allWarehouses') },
            ...(warehouses.data ?? []).map((w) => ({ id: w.code, label: `${w.code} · ${w.name}` })),
          ]}
          value={warehouse}
          onChange={setWarehouse}
        />
      </Section>
      {list.isPending ? <Loading /> : null}
      <ProblemAlert error={list.error} onRetry={() => void list.refetch()} />
      {list.isSuccess ? (
        <DataTable
          caption={t('catalog.lowStock.caption')}
          rows={rows}
          rowKey={(r) => `${r.skuId}-${r.warehouseCode}`}
          empty={t('catalog.lowStock.empty')}
          columns={[
            {
              key: 'product',
              header: t('catalog.products.productTitle'),
              render: (r) => <Link to={`/catalog/products/${r.productId}`}>{r.productTitle}</Link>,
            },
            {
              key: 'sku',
              header: t('catalog.product.code'),
              render: (r) => <code>{r.skuCode}</code>,
            },
            { key: 'wh', header: t('catalog.stock.warehouse'), render: (r) => r.warehouseCode },
            {
              key: 'onHand',
              header: t('catalog.product.onHand'),
              numeric: true,
              render: (r) => r.onHand,
            },
            {
              key: 'reserved',
              header: t('catalog.lowStock.reserved'),
              numeric: true,
              render: (r) => r.reserved,
            },
            {
              key: 'available',
              header: t('catalog.lowStock.available'),
              numeric: true,
              render: (r) => r.available,
            },
            {
              key: 'threshold',
              header: t('catalog.stock.threshold'),
              numeric: true,
              render: (r) => r.threshold,
            },
            {
              key: 'since',
              header: t('catalog.lowStock.since'),
              render: (r) => (
                <FormattedDate value={r.lowSince} dateStyle="medium" timeStyle="short" />
              ),
            },
          ]}
        />
      ) : null}
      {list.hasNextPage ? (
        <button
          type="button"
          className="button secondary"
          disabled={list.isFetchingNextPage}
          onClick={() => void list.fetchNextPage()}
        >
          {t('app.more')}
        </button>
      ) : null}
    </Page>
  );
}
