import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { SearchError } from '../domain/search-error';
import { SynonymIndex, validateSynonymSet, type SynonymSet } from '../domain/synonyms';
import { SYNONYM_STORE, type SynonymStore } from './ports';

export const MAX_SYNONYM_SETS = 1000;
export const SYNONYM_REFRESH_MS = Symbol('SYNONYM_REFRESH_MS');

/**
 * Synonym sets as data. Every instance keeps the sets in memory, reloaded every refresh period
 * (a change made through another instance is used within that period) and at once after a change
 * made through this one. When the store cannot be read the last sets stay in use.
 */
@Injectable()
export class SynonymSetsUseCase implements OnModuleDestroy {
  private index = new SynonymIndex([]);
  private timer?: NodeJS.Timeout;

  constructor(
    @Inject(SYNONYM_STORE) private readonly store: SynonymStore,
    @Inject(SYNONYM_REFRESH_MS) refreshMs: number,
  ) {
    if (refreshMs > 0) {
      this.timer = setInterval(() => void this.reload().catch(() => undefined), refreshMs);
      this.timer.unref();
    }
  }

  onModuleDestroy(): void {
    if (this.timer) clearInterval(this.timer);
  }

  async reload(): Promise<void> {
    this.index = new SynonymIndex(await this.store.list());
  }

  /** The query's rewrites with the sets in force. */
  variants(query: string): string[] {
    return this.index.expand(query);
  }

  async put(id: string, terms: readonly string[]): Promise<SynonymSet> {
    const valid = validateSynonymSet(id, terms);
    const existing = await this.store.list();
    if (existing.length >= MAX_SYNONYM_SETS && !existing.some((s) => s.id === valid.id))
      throw new SearchError(
        'FAILED_PRECONDITION',
        'SYNONYM_SETS_LIMIT',
        `at most ${MAX_SYNONYM_SETS} synonym sets`,
      );
    const set = { ...valid, updatedAt: new Date().toISOString() };
    await this.store.put(set);
    await this.reload();
    return set;
  }

  async delete(id: string): Promise<void> {
    if (!(await this.store.delete(id)))
      throw new SearchError('NOT_FOUND', 'SYNONYM_SET_NOT_FOUND', `no synonym set '${id}'`);
    await this.reload();
  }

  list(): Promise<SynonymSet[]> {
    return this.store.list();
  }
}
