import { isIP } from 'node:net';

/**
 * A backend's gRPC address, as every `<SERVICE>_GRPC_URL` setting takes it:
 *
 * - `host:port`: one name, and every address it resolves to. A Kubernetes headless Service's
 *   name resolves to each ready pod of the backend (the chart's `<service>-grpc`), a
 *   docker-compose service's name to each of its containers.
 * - `dns:///host:port`: the same, written as gRPC names it.
 * - `ip:port,ip:port,…`: a fixed list of the backend's replicas (IPv4, or IPv6 in brackets),
 *   as local runs and tests start them.
 *
 * Calls are spread over the addresses round robin (`H2Channel`, h2-channel.ts), a replica that
 * stops answering is left out until it connects again, and a name is resolved again when a
 * connection ends (servers end theirs after `GRPC_SERVER_OPTIONS`' maximum age, so new replicas
 * get calls).
 */

const PORT = /^\d{1,5}$/;

function splitHostPort(s: string): { host: string; port: string } | undefined {
  const m = /^\[([^\]]+)\]:(\d+)$/.exec(s) ?? /^([^\s:[\]/,]+):(\d+)$/.exec(s);
  if (!m || !PORT.test(m[2]) || Number(m[2]) > 65535) return undefined;
  return { host: m[1], port: m[2] };
}

/** Why `url` is not a gRPC address as described above; undefined when it is one. */
export function grpcTargetProblem(url: string): string | undefined {
  const name = url.startsWith('dns:///') ? url.slice('dns:///'.length) : undefined;
  if (name !== undefined)
    return splitHostPort(name) ? undefined : 'must be dns:///host:port after the scheme';
  const parts = url.split(',').map((p) => p.trim());
  if (parts.length === 1)
    return splitHostPort(parts[0])
      ? undefined
      : 'must be host:port, dns:///host:port or a comma-separated list of ip:port';
  const families = new Set<number>();
  for (const p of parts) {
    const hp = splitHostPort(p);
    const family = hp ? isIP(hp.host) : 0;
    if (family === 0)
      return `a list of replicas takes IP addresses (ip:port, [ipv6]:port): '${p}' is not one; for a name, give one host:port that resolves to every replica`;
    families.add(family);
  }
  if (families.size > 1) return 'a list of replicas must be all IPv4 or all IPv6';
  return undefined;
}

/** One address of a backend. */
export interface GrpcEndpoint {
  host: string;
  port: number;
}

/**
 * The addresses a `<SERVICE>_GRPC_URL` (checked by `grpcTargetProblem`) stands for: a fixed list
 * of replicas, or one name to resolve to all its addresses.
 */
export function grpcTargetAddresses(
  url: string,
): { endpoints: GrpcEndpoint[] } | { name: GrpcEndpoint } {
  const problem = grpcTargetProblem(url);
  if (problem) throw new Error(`gRPC address '${url}': ${problem}`);
  const endpoint = (s: string) => {
    const hp = splitHostPort(s)!;
    return { host: hp.host, port: Number(hp.port) };
  };
  if (url.startsWith('dns:///')) return { name: endpoint(url.slice('dns:///'.length)) };
  const parts = url.split(',').map((p) => p.trim());
  return parts.length === 1 ? { name: endpoint(parts[0]) } : { endpoints: parts.map(endpoint) };
}
