// Groups the generated files of package emporia.order.v1 under one namespace.
export * from './gen/emporia/order/v1/order_service';
export * from './gen/emporia/order/v1/events';
export * from './gen/emporia/order/v1/facts';
