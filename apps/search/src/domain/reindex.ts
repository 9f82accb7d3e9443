export type ReindexState = 'RUNNING' | 'SUCCEEDED' | 'FAILED';

/** A full reindex: build a new versioned index from the catalog, swap the alias, catch up. */
export interface ReindexJob {
  id: string;
  state: ReindexState;
  targetIndex: string;
  previousIndex: string;
  productsIndexed: number;
  caughtUp: number;
  batches: number;
  startedAt: string;
  /** Written after every batch; a RUNNING job whose heartbeat is old has lost its worker. */
  heartbeatAt: string;
  finishedAt: string;
  error: string;
}

/** A running job whose heartbeat is older than this is taken over by the next start. */
export const REINDEX_STALE_AFTER_MS = 60_000;

/** Whether a new reindex may start now, given the latest job. */
export function mayStartReindex(latest: ReindexJob | undefined, now: Date): boolean {
  if (!latest || latest.state !== 'RUNNING') return true;
  return now.getTime() - Date.parse(latest.heartbeatAt) > REINDEX_STALE_AFTER_MS;
}
