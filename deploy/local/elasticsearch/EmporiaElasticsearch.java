import java.io.IOException;
import java.util.Map;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

import org.codelibs.elasticsearch.runner.ElasticsearchClusterRunner;
import org.elasticsearch.common.network.NetworkService;
import org.elasticsearch.common.settings.ClusterSettings;
import org.elasticsearch.common.settings.Settings;
import org.elasticsearch.common.util.BigArrays;
import org.elasticsearch.common.util.PageCacheRecycler;
import org.elasticsearch.common.util.concurrent.ThreadContext;
import org.elasticsearch.common.xcontent.NamedXContentRegistry;
import org.elasticsearch.http.HttpChannel;
import org.elasticsearch.http.HttpPipelinedRequest;
import org.elasticsearch.http.HttpRequest;
import org.elasticsearch.http.HttpServerTransport;
import org.elasticsearch.http.netty4.Netty4HttpRequest;
import org.elasticsearch.http.netty4.Netty4HttpServerTransport;
import org.elasticsearch.indices.breaker.CircuitBreakerService;
import org.elasticsearch.plugins.ActionPlugin;
import org.elasticsearch.plugins.NetworkPlugin;
import org.elasticsearch.plugins.Plugin;
import org.elasticsearch.rest.RestHandler;
import org.elasticsearch.threadpool.ThreadPool;

import io.netty.handler.codec.http.HttpHeaders;

/**
 * Starts one embedded Elasticsearch node (via codelibs' cluster runner, with
 * its standard modules: analysis-common, mapper-extras, painless, reindex, ...)
 * bound to one host, with fixed HTTP and transport ports, plain HTTP, and
 * blocks until the JVM is told to stop (SIGTERM closes the node cleanly).
 *
 * System properties: emporia.es.basePath (required), emporia.es.host,
 * emporia.es.httpPort, emporia.es.transportPort, emporia.es.clusterName,
 * emporia.es.v8compat (default true, see {@link V8CompatPlugin}).
 */
public final class EmporiaElasticsearch {
    public static void main(String[] args) throws Exception {
        final String basePath = System.getProperty("emporia.es.basePath");
        if (basePath == null) {
            throw new IllegalArgumentException("-Demporia.es.basePath is required");
        }
        final String host = System.getProperty("emporia.es.host", "127.0.0.1");
        final int httpPort = Integer.getInteger("emporia.es.httpPort", 59200);
        final int transportPort = Integer.getInteger("emporia.es.transportPort", 59300);
        final String clusterName = System.getProperty("emporia.es.clusterName", "emporia-local");
        final boolean v8compat = Boolean.parseBoolean(System.getProperty("emporia.es.v8compat", "true"));

        final ElasticsearchClusterRunner runner = new ElasticsearchClusterRunner();
        // We pin the ports ourselves: never let the runner hop to another port.
        runner.setMaxHttpPort(-1);
        runner.onBuild((number, settings) -> {
            settings.put("node.name", "emporia-local-1");
            settings.put("network.host", host);
            settings.put("http.port", httpPort);
            settings.put("transport.port", transportPort);
            settings.put("discovery.type", "single-node");
            // Local disks here are often nearly full; don't block indexing over it.
            settings.put("cluster.routing.allocation.disk.threshold_enabled", false);
            if (v8compat) {
                settings.put("http.type", V8CompatPlugin.HTTP_TYPE);
            }
        });
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                runner.close();
            } catch (IOException e) {
                System.err.println("failed to close elasticsearch: " + e);
            }
        }, "emporia-es-shutdown"));

        try {
            runner.build("-basePath", basePath, "-numOfNode", "1",
                    "-baseHttpPort", String.valueOf(httpPort - 1), "-clusterName", clusterName,
                    "-pluginTypes", v8compat ? V8CompatPlugin.class.getName() : "");
        } catch (Throwable t) {
            // Don't linger half-started: exit so the start script sees the failure.
            t.printStackTrace();
            System.exit(1);
        }
        System.out.println("emporia: elasticsearch node started, http://" + host + ":" + httpPort);

        while (!runner.isClosed()) {
            Thread.sleep(1000);
        }
    }

    /**
     * Lets the project's Node client, @elastic/elasticsearch 8.x, talk to this
     * Elasticsearch 7.10 node. That client (a) sends the REST-compatibility media
     * types "application/vnd.elasticsearch+json; compatible-with=8" (and
     * "+x-ndjson") in Content-Type/Accept, which 7.10 rejects with 406, and
     * (b) refuses any 2xx response without the "X-elastic-product: Elasticsearch"
     * header, which Elasticsearch only sends itself from 7.14 on.
     * This plugin serves HTTP with the normal Netty4 transport, but (a) maps
     * those media types to their plain equivalents before the request is
     * parsed and (b) adds that header to every response. Nothing else changes:
     * the APIs and their behaviour are those of Elasticsearch 7.10.2.
     */
    public static final class V8CompatPlugin extends Plugin implements NetworkPlugin, ActionPlugin {
        static final String HTTP_TYPE = "emporia-netty4-v8compat";

        @Override
        public Map<String, Supplier<HttpServerTransport>> getHttpTransports(Settings settings, ThreadPool threadPool,
                BigArrays bigArrays, PageCacheRecycler pageCacheRecycler, CircuitBreakerService circuitBreakerService,
                NamedXContentRegistry xContentRegistry, NetworkService networkService,
                HttpServerTransport.Dispatcher dispatcher, ClusterSettings clusterSettings) {
            return Map.of(HTTP_TYPE, () -> new Netty4HttpServerTransport(settings, networkService, bigArrays,
                    threadPool, xContentRegistry, dispatcher, clusterSettings,
                    new org.elasticsearch.transport.SharedGroupFactory(settings)) {
                @Override
                public void incomingRequest(HttpRequest httpRequest, HttpChannel httpChannel) {
                    HttpRequest request = httpRequest;
                    if (request instanceof HttpPipelinedRequest) {
                        request = ((HttpPipelinedRequest) request).getDelegateRequest();
                    }
                    if (request instanceof Netty4HttpRequest) {
                        // the request's header map is a live view of these
                        HttpHeaders headers = ((Netty4HttpRequest) request).nettyRequest().headers();
                        rewrite(headers, "Content-Type");
                        rewrite(headers, "Accept");
                    }
                    super.incomingRequest(httpRequest, httpChannel);
                }
            });
        }

        private static void rewrite(HttpHeaders headers, String name) {
            String value = headers.get(name);
            if (value != null && value.contains("vnd.elasticsearch+")) {
                headers.set(name, value
                        .replaceAll("application/vnd\\.elasticsearch\\+x-ndjson\\s*;\\s*compatible-with=\\d+", "application/x-ndjson")
                        .replaceAll("application/vnd\\.elasticsearch\\+(json|yaml|smile|cbor)\\s*;\\s*compatible-with=\\d+", "application/$1"));
            }
        }

        @Override
        public UnaryOperator<RestHandler> getRestHandlerWrapper(ThreadContext threadContext) {
            return handler -> new RestHandler() {
                @Override
                public void handleRequest(org.elasticsearch.rest.RestRequest request,
                        org.elasticsearch.rest.RestChannel channel,
                        org.elasticsearch.client.node.NodeClient client) throws Exception {
                    threadContext.addResponseHeader("X-elastic-product", "Elasticsearch");
                    handler.handleRequest(request, channel, client);
                }

                @Override
                public boolean canTripCircuitBreaker() {
                    return handler.canTripCircuitBreaker();
                }

                @Override
                public boolean supportsContentStream() {
                    return handler.supportsContentStream();
                }

                @Override
                public boolean allowsUnsafeBuffers() {
                    return handler.allowsUnsafeBuffers();
                }

                @Override
                public java.util.List<Route> routes() {
                    return handler.routes();
                }

                @Override
                public java.util.List<DeprecatedRoute> deprecatedRoutes() {
                    return handler.deprecatedRoutes();
                }

                @Override
                public java.util.List<ReplacedRoute> replacedRoutes() {
                    return handler.replacedRoutes();
                }

                @Override
                public boolean allowSystemIndexAccessByDefault() {
                    return handler.allowSystemIndexAccessByDefault();
                }
            };
        }
    }
}
