import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

export type Server = 'postgres' | 'redis' | 'kafka' | 'elasticsearch' | 'mailsink';

export interface Endpoints {
  POSTGRES_URL: string;
  REDIS_URL: string;
  KAFKA_BROKERS: string;
  ELASTICSEARCH_URL: string;
  /** The mail sink's SMTP address (smtp://host:port): Mailpit, deploy/local/mailpit.sh. */
  SMTP_SINK_URL: string;
  /** The mail sink's HTTP API, where tests read what it received (Mailpit's /api/v1). */
  MAIL_SINK_API_URL: string;
}

const VAR: Record<Server, keyof Endpoints> = {
  postgres: 'POSTGRES_URL',
  redis: 'REDIS_URL',
  kafka: 'KAFKA_BROKERS',
  elasticsearch: 'ELASTICSEARCH_URL',
  mailsink: 'SMTP_SINK_URL',
};

/** Variables a server brings besides its main one. */
const EXTRA_VARS: Partial<Record<Server, (keyof Endpoints)[]>> = {
  mailsink: ['MAIL_SINK_API_URL'],
};

export const REPO_ROOT = join(__dirname, '..', '..', '..');

function dockerAnswers(): boolean {
  try {
    execFileSync('docker', ['info'], { stdio: 'ignore', timeout: 5000 });
    return true;
  } catch {
    return false;
  }
}

function localScriptsUsable(): boolean {
  return existsSync(join(REPO_ROOT, 'deploy/local/up.sh'));
}

/** Parses `export NAME=value` lines printed by deploy/local/env.sh. */
function parseExports(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^export\s+([A-Z_]+)=["']?([^"']*)["']?\s*$/.exec(line.trim());
    if (m) out[m[1]] = m[2];
  }
  return out;
}

/**
 * Real servers for integration tests, in this order of preference:
 *  1. servers named by environment variables (POSTGRES_URL, REDIS_URL, KAFKA_BROKERS, ELASTICSEARCH_URL);
 *  2. local processes started by deploy/local (Debian packages and Maven Central jars, no Docker);
 *  3. Testcontainers, when a Docker engine answers.
 * Returns the endpoints and writes them into process.env (jest workers inherit them).
 */
export async function provideInfrastructure(servers: Server[]): Promise<Endpoints> {
  const missing = servers.filter((s) => !process.env[VAR[s]]);
  if (missing.length > 0) {
    if (localScriptsUsable() && process.env.EMPORIA_TEST_INFRA !== 'testcontainers') {
      execFileSync('bash', [join(REPO_ROOT, 'deploy/local/up.sh'), ...missing], {
        stdio: ['ignore', process.stderr, process.stderr],
      });
      const vars = parseExports(
        execFileSync('bash', [join(REPO_ROOT, 'deploy/local/env.sh')], { encoding: 'utf8' }),
      );
      for (const s of missing) {
        for (const v of [VAR[s], ...(EXTRA_VARS[s] ?? [])]) process.env[v] = vars[v];
      }
    } else if (dockerAnswers()) {
      const started = await startContainers(missing);
      for (const s of missing) {
        for (const v of [VAR[s], ...(EXTRA_VARS[s] ?? [])]) process.env[v] = started[v];
      }
    } else {
      throw new Error(
        `no ${missing.join(', ')} for tests: set ${missing.map((s) => VAR[s]).join(', ')}, ` +
          'or keep deploy/local/ available, or run a Docker engine for Testcontainers',
      );
    }
  }
  return {
    POSTGRES_URL: process.env.POSTGRES_URL ?? '',
    REDIS_URL: process.env.REDIS_URL ?? '',
    KAFKA_BROKERS: process.env.KAFKA_BROKERS ?? '',
    ELASTICSEARCH_URL: process.env.ELASTICSEARCH_URL ?? '',
    SMTP_SINK_URL: process.env.SMTP_SINK_URL ?? '',
    MAIL_SINK_API_URL: process.env.MAIL_SINK_API_URL ?? '',
  };
}

/** Testcontainers path, used only where a Docker engine answers. Containers live until the process exits. */
async function startContainers(servers: Server[]): Promise<Partial<Endpoints>> {
  const { GenericContainer, Wait } = await import('testcontainers');
  const out: Partial<Endpoints> = {};
  for (const s of servers) {
    if (s === 'postgres') {
      const c = await new GenericContainer('postgres:16-alpine')
        .withEnvironment({ POSTGRES_PASSWORD: 'postgres' })
        .withExposedPorts(5432)
        .withWaitStrategy(Wait.forLogMessage(/database system is ready to accept connections/, 2))
        .start();
      out.POSTGRES_URL = `postgres://postgres:postgres@${c.getHost()}:${c.getMappedPort(5432)}/postgres`;
    } else if (s === 'redis') {
      const c = await new GenericContainer('redis:7-alpine').withExposedPorts(6379).start();
      out.REDIS_URL = `redis://${c.getHost()}:${c.getMappedPort(6379)}`;
    } else if (s === 'kafka') {
      const c = await new GenericContainer('apache/kafka:4.4.0')
        .withExposedPorts({ container: 9092, host: 59092 })
        .withEnvironment({
          KAFKA_NODE_ID: '1',
          KAFKA_PROCESS_ROLES: 'broker,controller',
          KAFKA_LISTENERS: 'PLAINTEXT://:9092,CONTROLLER://:9093',
          KAFKA_ADVERTISED_LISTENERS: 'PLAINTEXT://127.0.0.1:59092',
          KAFKA_CONTROLLER_LISTENER_NAMES: 'CONTROLLER',
          KAFKA_CONTROLLER_QUORUM_VOTERS: '1@localhost:9093',
          KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR: '1',
          KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR: '1',
          KAFKA_TRANSACTION_STATE_LOG_MIN_ISR: '1',
        })
        .withWaitStrategy(Wait.forLogMessage(/Kafka Server started/))
        .start();
      void c;
      out.KAFKA_BROKERS = '127.0.0.1:59092';
    } else if (s === 'mailsink') {
      const c = await new GenericContainer('axllent/mailpit:v1.33.1')
        .withExposedPorts(1025, 8025)
        .withWaitStrategy(Wait.forHttp('/api/v1/messages', 8025))
        .start();
      out.SMTP_SINK_URL = `smtp://${c.getHost()}:${c.getMappedPort(1025)}`;
      out.MAIL_SINK_API_URL = `http://${c.getHost()}:${c.getMappedPort(8025)}`;
    } else {
      const c = await new GenericContainer('docker.elastic.co/elasticsearch/elasticsearch:8.14.1')
        .withEnvironment({
          'discovery.type': 'single-node',
          'xpack.security.enabled': 'false',
          ES_JAVA_OPTS: '-Xms512m -Xmx512m',
        })
        .withExposedPorts(9200)
        .withWaitStrategy(Wait.forHttp('/_cluster/health', 9200))
        .start();
      out.ELASTICSEARCH_URL = `http://${c.getHost()}:${c.getMappedPort(9200)}`;
    }
  }
  return out;
}
