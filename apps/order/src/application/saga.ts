/**
 * Sagas as steps, each with its own compensation (CONVENTIONS 12; the shape of Medusa's
 * `createStep(name, invoke, compensate)`): a saga runs its steps in order over one state; when a
 * step fails, the steps that started are undone in reverse order — the failing one included,
 * since a remote call may have taken effect before its answer was lost (every compensation is
 * idempotent, and one whose step did nothing does nothing). Steps that never started are never
 * undone. `G` is what the compensations are told at undo time (e.g. whether the caller still
 * owns the work).
 */
export interface SagaStep<S, G> {
  readonly name: string;
  invoke(state: S): Promise<void>;
  compensate?(state: S, guard: G): Promise<void>;
}

export function createStep<S, G>(
  name: string,
  invoke: (state: S) => Promise<void>,
  compensate?: (state: S, guard: G) => Promise<void>,
): SagaStep<S, G> {
  return { name, invoke, ...(compensate ? { compensate } : {}) };
}

/** Undoes what the started steps did, given the guard; returns the names undone, in order. */
export type Undo<G> = (guard: G) => Promise<string[]>;

export class Saga<S, G> {
  constructor(readonly steps: readonly SagaStep<S, G>[]) {}

  /**
   * Runs every step over `state`. On a failure, `onFailure` gets the error and the undo of the
   * started steps (it decides when and under which guard to run it); the error is then rethrown.
   */
  async run(
    state: S,
    onFailure: (error: unknown, undo: Undo<G>, failedStep: string) => Promise<void>,
  ): Promise<S> {
    const started: SagaStep<S, G>[] = [];
    for (const step of this.steps) {
      started.push(step);
      try {
        await step.invoke(state);
      } catch (e) {
        const undo: Undo<G> = async (guard) => {
          const undone: string[] = [];
          for (const s of [...started].reverse()) {
            if (!s.compensate) continue;
            await s.compensate(state, guard);
            undone.push(s.name);
          }
          return undone;
        };
        await onFailure(e, undo, step.name);
        throw e;
      }
    }
    return state;
  }
}
