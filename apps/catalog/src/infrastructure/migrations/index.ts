import { MessagingTables1764000000000 } from '@emporia/messaging';
import { CatalogSchema1764000000100 } from './1764000000100-catalog-schema';

/** Every migration of the catalog database, in order. Never `synchronize`. */
export const CATALOG_MIGRATIONS = [MessagingTables1764000000000, CatalogSchema1764000000100];
