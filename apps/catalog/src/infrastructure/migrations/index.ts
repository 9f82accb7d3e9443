import { MessagingTables1764000000000 } from '@emporia/messaging';
import { CatalogSchema1764000000100 } from './1764000000100-catalog-schema';
import { StockReservations1764000000150 } from './1764000000150-stock-reservations';
import { StockMovementReference1764000000160 } from './1764000000160-stock-movement-reference';
import { Warehouses1764000000170 } from './1764000000170-warehouses';
import { UnitsSold1764000000180 } from './1764000000180-units-sold';
import { PriceHistory1765000000400 } from './1765000000400-price-history';
import { ProductRatings1766000000100 } from './1766000000100-product-ratings';
// issue 18: catalog-stock
import { StockThresholds1767000000100 } from './1767000000100-stock-thresholds';
import { ListingSchedule1767000000110 } from './1767000000110-listing-schedule';
import { TagsAndCompliance1767000000200 } from './1767000000200-tags-and-compliance';
import { SkusRevision1768000000100 } from './1768000000100-skus-revision';

/** Every migration of the catalog database, in order. Never `synchronize`. */
export const CATALOG_MIGRATIONS = [
  MessagingTables1764000000000,
  CatalogSchema1764000000100,
  StockReservations1764000000150,
  StockMovementReference1764000000160,
  Warehouses1764000000170,
  UnitsSold1764000000180,
  PriceHistory1765000000400,
  ProductRatings1766000000100,
  // issue 18: catalog-stock
  StockThresholds1767000000100,
  ListingSchedule1767000000110,
  // issue 18 (catalog-merch)
  TagsAndCompliance1767000000200,
  // issue 19: a product's SKUs read under its lock are read again only when they changed
  SkusRevision1768000000100,
];
