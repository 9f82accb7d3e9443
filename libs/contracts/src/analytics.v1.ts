// Groups the generated files of package emporia.analytics.v1 under one namespace.
export * from './gen/emporia/analytics/v1/analytics';
export * from './gen/emporia/analytics/v1/analytics_service';
export * from './gen/emporia/analytics/v1/events';
