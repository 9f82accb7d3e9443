import { Sql } from '@emporia/persistence';
import type { DataSource } from 'typeorm';
import type { FactPartitions } from '../application/collection.ports';
import { addDays, isDay, partitionDay, partitionName } from '../domain/days';

/**
 * Makes the partition of `day` unless it exists, safely under concurrency: an advisory lock
 * per day held to the end of the transaction, then `CREATE TABLE IF NOT EXISTS ... PARTITION
 * OF` (two sessions creating the same table at once would otherwise collide in the catalog).
 * `sql` must be inside a transaction.
 */
/** True when this call made the partition. */
export async function ensurePartition(sql: Sql, day: string): Promise<boolean> {
  if (!isDay(day)) throw new Error(`not a day: '${day}'`);
  const name = partitionName(day);
  const exists = async () =>
    // pg_class read with the statement's snapshot (to_regclass may answer from a stale cache)
    (
      await sql.one<{ n: string }>(
        `SELECT count(*) AS n FROM pg_class WHERE relname = $1 AND relnamespace = current_schema()::regnamespace`,
        [name],
      )
    )?.n !== '0';
  if (await exists()) return false;
  await sql.run(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [`analytics:${name}`]);
  // made by whoever held the lock before us (its transaction committed when it let go)
  if (await exists()) return false;
  // names and bounds come from a checked day, never from input text
  await sql.run(
    `CREATE TABLE IF NOT EXISTS ${name} PARTITION OF behaviour_events
       FOR VALUES FROM ('${day}') TO ('${addDays(day, 1)}')`,
  );
  return true;
}

/** A process-wide memo of partitions known to exist, so a hot day costs no catalog lookup. */
export class KnownPartitions {
  private readonly days = new Set<string>();
  has(day: string): boolean {
    return this.days.has(day);
  }
  add(day: string): void {
    this.days.add(day);
  }
  forget(day: string): void {
    this.days.delete(day);
  }
}

interface PartitionRow {
  name: string;
}

/** behaviour_events' day partitions over Postgres (sweeps `analytics-partitions`, retention). */
export class SqlFactPartitions implements FactPartitions {
  constructor(
    private readonly ds: DataSource,
    private readonly known: KnownPartitions,
  ) {}

  async ensure(days: readonly string[]): Promise<number> {
    let made = 0;
    for (const day of days) {
      if (this.known.has(day)) continue;
      const created = await this.ds.transaction((m) => ensurePartition(new Sql(m), day));
      this.known.add(day);
      if (created) made += 1;
    }
    return made;
  }

  async dropBefore(day: string): Promise<string[]> {
    const sql = new Sql(this.ds);
    const parts = await sql.rows<PartitionRow>(
      `SELECT c.relname AS name FROM pg_inherits i
         JOIN pg_class c ON c.oid = i.inhrelid
         JOIN pg_class p ON p.oid = i.inhparent
        WHERE p.relname = 'behaviour_events'`,
    );
    const dropped: string[] = [];
    for (const { name } of parts) {
      const d = partitionDay(name);
      if (!d || d >= day) continue;
      await sql.run(`DROP TABLE IF EXISTS ${partitionName(d)}`);
      this.known.forget(d);
      dropped.push(d);
    }
    // the per-day rollups of raw behaviour go with their days
    await sql.run(`DELETE FROM funnel_visitor_days WHERE day < $1`, [day]);
    await sql.run(`DELETE FROM utm_touches WHERE day < $1`, [day]);
    return dropped.sort();
  }
}
