// Groups the generated files of package emporia.notification.v1 under one namespace.
export * from './gen/emporia/notification/v1/notification';
export * from './gen/emporia/notification/v1/notification_service';
