// Groups the generated files of package emporia.review.v1 under one namespace.
export * from './gen/emporia/review/v1/review';
export * from './gen/emporia/review/v1/review_service';
export * from './gen/emporia/review/v1/events';
