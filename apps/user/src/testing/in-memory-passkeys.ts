import type { PasskeyRepository } from '../application/passkey.ports';
import { byNewest, type Passkey, type PasskeyChallenge } from '../domain/passkey';

/** The passkey tables of the in-memory store (a part of `InMemoryUserStore`). */
export interface PasskeyTables {
  /** passkeys: credential id → passkey. */
  passkeys: Map<string, Passkey>;
  /** passkey_challenges: challenge hash → challenge. */
  passkeyChallenges: Map<string, PasskeyChallenge>;
}

/** Passkeys in memory, as the SQL adapter behaves (credential ids unique across accounts). */
export class MemPasskeys implements PasskeyRepository {
  constructor(private readonly s: PasskeyTables) {}

  list = async (accountId: string) =>
    [...this.s.passkeys.values()].filter((p) => p.accountId === accountId).sort(byNewest);
  count = async (accountId: string) => (await this.list(accountId)).length;
  find = async (id: string) => this.s.passkeys.get(id) ?? null;

  async insert(passkey: Passkey) {
    if (this.s.passkeys.has(passkey.id)) return false;
    this.s.passkeys.set(passkey.id, { ...passkey });
    return true;
  }

  async rename(accountId: string, id: string, name: string) {
    const p = this.s.passkeys.get(id);
    if (p?.accountId !== accountId) return null;
    const renamed = { ...p, name };
    this.s.passkeys.set(id, renamed);
    return renamed;
  }

  async remove(accountId: string, id: string) {
    if (this.s.passkeys.get(id)?.accountId !== accountId) return false;
    return this.s.passkeys.delete(id);
  }

  async recordUse(id: string, counter: number, backedUp: boolean, at: Date) {
    const p = this.s.passkeys.get(id);
    if (p) this.s.passkeys.set(id, { ...p, counter, backedUp, lastUsedAt: at });
  }

  async insertChallenge(challenge: PasskeyChallenge, challengeHash: string) {
    if (this.s.passkeyChallenges.has(challengeHash))
      throw new Error('duplicate key passkey_challenges_pkey');
    this.s.passkeyChallenges.set(challengeHash, { ...challenge });
  }

  findChallengeForUpdate = async (challengeHash: string) =>
    this.s.passkeyChallenges.get(challengeHash) ?? null;

  async useChallenge(id: string, at: Date) {
    for (const [k, c] of this.s.passkeyChallenges)
      if (c.id === id) this.s.passkeyChallenges.set(k, { ...c, usedAt: at });
  }

  async deleteExpiredChallenges(before: Date, limit: number) {
    let n = 0;
    for (const [k, c] of [...this.s.passkeyChallenges])
      if (n < limit && c.expiresAt.getTime() < before.getTime()) {
        this.s.passkeyChallenges.delete(k);
        n++;
      }
    return n;
  }

  /** What erasure removes (the SQL privacy adapter deletes the same rows). */
  static erase(s: PasskeyTables, accountId: string): void {
    for (const [id, p] of [...s.passkeys]) if (p.accountId === accountId) s.passkeys.delete(id);
    for (const [k, c] of [...s.passkeyChallenges])
      if (c.accountId === accountId) s.passkeyChallenges.delete(k);
  }

  /** What the export shows of them (never the public key). */
  static exported(s: PasskeyTables, accountId: string) {
    return [...s.passkeys.values()]
      .filter((p) => p.accountId === accountId)
      .map((p) => ({
        name: p.name,
        createdAt: p.createdAt,
        lastUsedAt: p.lastUsedAt,
        backedUp: p.backedUp,
        transports: p.transports,
      }));
  }
}
