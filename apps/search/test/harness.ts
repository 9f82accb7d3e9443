import { PROTO_FILES } from '@emporia/contracts';
import type { RunningService } from '@emporia/platform';
import { freePort, grpcTestClient, testEnv, testLogger } from '@emporia/testing';
import { searchConfigSchema } from '../src/config';
import { startSearch } from '../src/search.app';

/**
 * The search service in this process on the real servers, isolated by an index prefix, a topic
 * prefix and a consumer group of its own, with a gRPC client; `stop` also deletes its indexes.
 */
export async function startTestSearch(opts: {
  indexPrefix: string;
  topicPrefix: string;
  group: string;
  env?: Record<string, string>;
}): Promise<{
  service: RunningService;
  client: ReturnType<typeof grpcTestClient>;
  stop: () => Promise<void>;
}> {
  const es = testEnv.elasticsearchUrl();
  const config = searchConfigSchema.parse({
    ELASTICSEARCH_URL: es,
    SEARCH_INDEX_PREFIX: opts.indexPrefix,
    KAFKA_BROKERS: testEnv.kafkaBrokers(),
    KAFKA_TOPIC_PREFIX: opts.topicPrefix,
    SEARCH_CONSUMER_GROUP: opts.group,
    SEARCH_GRPC_PORT: String(await freePort()),
    SEARCH_HTTP_PORT: '0',
    BIND_HOST: '127.0.0.1',
    ...opts.env,
  });
  const service = await startSearch(config, testLogger('search'));
  const client = grpcTestClient(
    PROTO_FILES.search,
    'emporia.search.v1.SearchService',
    service.grpcUrl!,
  );
  return {
    service,
    client,
    stop: async () => {
      client.close();
      await service.close();
      await fetch(`${es}/${opts.indexPrefix}*`, { method: 'DELETE' });
    },
  };
}
