// Groups the generated files of package emporia.user.v1 under one namespace.
export * from './gen/emporia/user/v1/user_service';
export * from './gen/emporia/user/v1/events';
export * from './token-revocation';
