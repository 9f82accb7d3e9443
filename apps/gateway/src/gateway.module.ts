import { DynamicModule, Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import type { Client } from '@grpc/grpc-js';
import { HealthRegistry, PlatformModule, type Logger } from '@emporia/platform';
import {
  CATALOG_BACKEND,
  SEARCH_BACKEND,
  type CatalogBackend,
  type SearchBackend,
} from './application/ports';
import { waitForReady } from './infrastructure/grpc-backend';
import { CategoriesHttpController } from './interface/categories.http-controller';
import { ProductsHttpController } from './interface/products.http-controller';
import { SearchHttpController } from './interface/search.http-controller';

export interface GatewayBackends {
  catalog: { api: CatalogBackend; client: Client };
  search: { api: SearchBackend; client: Client };
}

const BACKENDS = Symbol('BACKENDS');

class GatewayLifecycle implements OnApplicationShutdown {
  constructor(
    @Inject(BACKENDS) private readonly backends: GatewayBackends,
    health: HealthRegistry,
  ) {
    health.register('catalog', () => waitForReady(backends.catalog.client, 1000));
    health.register('search', () => waitForReady(backends.search.client, 1000));
  }

  onApplicationShutdown(): void {
    this.backends.catalog.client.close();
    this.backends.search.client.close();
  }
}

@Module({})
export class GatewayModule {
  static forRoot(backends: GatewayBackends, logger: Logger): DynamicModule {
    return {
      module: GatewayModule,
      imports: [PlatformModule.forRoot(logger)],
      controllers: [CategoriesHttpController, ProductsHttpController, SearchHttpController],
      providers: [
        { provide: BACKENDS, useValue: backends },
        { provide: CATALOG_BACKEND, useValue: backends.catalog.api },
        { provide: SEARCH_BACKEND, useValue: backends.search.api },
        GatewayLifecycle,
      ],
    };
  }
}
