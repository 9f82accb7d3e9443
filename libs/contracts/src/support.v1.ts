// Groups the generated files of package emporia.support.v1 under one namespace.
export * from './gen/emporia/support/v1/support';
export * from './gen/emporia/support/v1/support_service';
export * from './gen/emporia/support/v1/events';
