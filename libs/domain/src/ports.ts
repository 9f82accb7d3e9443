/**
 * Ports every service's application layer uses; each service binds them (a system clock and
 * UUIDv7 ids in production, fixed ones in tests) under its own injection tokens.
 */
export interface Clock {
  now(): Date;
}

export interface IdGenerator {
  /** Time-ordered unique ids (UUIDv7), so ordering by id is ordering by creation. */
  newId(): string;
}
