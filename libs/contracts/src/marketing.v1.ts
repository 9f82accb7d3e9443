// Groups the generated files of package emporia.marketing.v1 under one namespace.
export * from './gen/emporia/marketing/v1/marketing_service';
export * from './gen/emporia/marketing/v1/events';
