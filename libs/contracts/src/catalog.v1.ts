// Groups the generated files of package emporia.catalog.v1 under one namespace.
export * from './gen/emporia/catalog/v1/catalog';
export * from './gen/emporia/catalog/v1/catalog_service';
export * from './gen/emporia/catalog/v1/events';
