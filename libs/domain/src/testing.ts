// Test doubles of the shared ports, for the services' in-memory test support (`src/testing`).
import type { Clock, IdGenerator } from './ports';

/** A clock that stands still until a test moves it. */
export class FakeClock implements Clock {
  constructor(private at = new Date('2026-11-25T10:00:00Z')) {}
  now = () => new Date(this.at.getTime());
  advance(ms: number): void {
    this.at = new Date(this.at.getTime() + ms);
  }
}

/** UUID-shaped ids, in sequence (`…0001`, `…0002`, …): ordering by id is ordering by creation. */
export class SequentialIds implements IdGenerator {
  private n = 0;
  newId = () => `0190b000-0000-7000-8000-${(++this.n).toString(16).padStart(12, '0')}`;
}
