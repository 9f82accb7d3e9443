import {
  Column,
  Entity,
  PrimaryColumn,
  PrimaryGeneratedColumn,
  type ValueTransformer,
} from 'typeorm';

/** pg returns bigint as string; our amounts and counters stay within 2^53. */
const bigintNumber: ValueTransformer = {
  to: (v: number | null | undefined) => v,
  from: (v: string | null) => (v === null ? null : Number(v)),
};

@Entity('categories')
export class CategoryRecord {
  @PrimaryColumn('uuid') id!: string;
  @Column('text') name!: string;
  @Column('text') slug!: string;
  @Column('uuid', { name: 'parent_id', nullable: true }) parentId!: string | null;
  @Column('uuid', { name: 'path_ids', array: true }) pathIds!: string[];
  @Column('int') depth!: number;
  @Column('timestamptz', { name: 'created_at' }) createdAt!: Date;
  @Column('timestamptz', { name: 'updated_at' }) updatedAt!: Date;
}

@Entity('products')
export class ProductRecord {
  @PrimaryColumn('uuid') id!: string;
  @Column('text') title!: string;
  @Column('text') description!: string;
  @Column('text') brand!: string;
  @Column('uuid', { name: 'category_id' }) categoryId!: string;
  @Column('text') status!: string;
  @Column('bigint', { transformer: bigintNumber }) version!: number;
  @Column('timestamptz', { name: 'created_at' }) createdAt!: Date;
  @Column('timestamptz', { name: 'updated_at' }) updatedAt!: Date;
}

@Entity('skus')
export class SkuRecord {
  @PrimaryColumn('uuid') id!: string;
  @Column('uuid', { name: 'product_id' }) productId!: string;
  @Column('text') code!: string;
  @Column('jsonb') attributes!: Record<string, string>;
  @Column('bigint', { name: 'price_amount_minor', transformer: bigintNumber })
  priceAmountMinor!: number;
  @Column('char', { length: 3 }) currency!: string;
  @Column('int') position!: number;
}

@Entity('stock_levels')
export class StockLevelRecord {
  @PrimaryColumn('uuid', { name: 'sku_id' }) skuId!: string;
  @PrimaryColumn('text', { name: 'warehouse_code' }) warehouseCode!: string;
  @Column('bigint', { name: 'on_hand', transformer: bigintNumber }) onHand!: number;
  /** Written only by reservations (SQL); stock writes name their columns so they never reset it. */
  @Column({ type: 'bigint', transformer: bigintNumber, insert: false, update: false })
  reserved!: number;
  @Column('timestamptz', { name: 'updated_at' }) updatedAt!: Date;
}

@Entity('stock_movements')
export class StockMovementRecord {
  @PrimaryGeneratedColumn('increment', { type: 'bigint' }) id!: string;
  @Column('uuid', { name: 'sku_id' }) skuId!: string;
  @Column('text', { name: 'warehouse_code' }) warehouseCode!: string;
  @Column('bigint', { transformer: bigintNumber }) delta!: number;
  @Column('bigint', { name: 'on_hand_after', transformer: bigintNumber }) onHandAfter!: number;
  @Column('text') reason!: string;
  /** What caused the movement when it is not an adjustment: the committed reservation's id. */
  @Column('text', { nullable: true }) reference!: string | null;
  @Column('text', { name: 'trace_id' }) traceId!: string;
  @Column('timestamptz', { name: 'created_at' }) createdAt!: Date;
}

export const CATALOG_ENTITIES = [
  CategoryRecord,
  ProductRecord,
  SkuRecord,
  StockLevelRecord,
  StockMovementRecord,
];
