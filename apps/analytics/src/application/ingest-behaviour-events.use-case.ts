import { Inject, Injectable } from '@nestjs/common';
import type { Clock } from '@emporia/domain';
import type { RequestContext } from '@emporia/platform';
import { AnalyticsError } from '../domain/analytics-error';
import {
  collectBatch,
  isUuid,
  parseRfc3339,
  type EventRejection,
  type RawBehaviourEvent,
} from '../domain/behaviour-validation';
import { CLOCK } from './ports';
import {
  BEHAVIOUR_PUBLISHER,
  COLLECTION_SETTINGS,
  type BehaviourPublisher,
  type CollectionSettings,
} from './collection.ports';

export interface IngestInput {
  events: readonly RawBehaviourEvent[];
  /** The gateway's receive time (RFC 3339), '' for now. */
  receivedAt: string;
  /** The signed-in caller, '' for none: set on every event. */
  accountId: string;
}

export interface IngestResult {
  accepted: number;
  rejected: EventRejection[];
}

/**
 * The collector: checks a batch, publishes the valid events to `analytics.behaviour` (the
 * projection stores them from there, once per event id) and names every problem of the others.
 * It answers only after the broker acknowledged the batch; when the broker cannot take it the
 * call fails whole (UNAVAILABLE) and the client sends the batch again (event ids de-duplicate).
 */
@Injectable()
export class IngestBehaviourEvents {
  constructor(
    @Inject(BEHAVIOUR_PUBLISHER) private readonly publisher: BehaviourPublisher,
    @Inject(COLLECTION_SETTINGS) private readonly settings: CollectionSettings,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async execute(_ctx: RequestContext, input: IngestInput): Promise<IngestResult> {
    const { maxBatch } = this.settings;
    if (input.events.length > maxBatch)
      throw new AnalyticsError(
        'INVALID_ARGUMENT',
        'BATCH_TOO_LARGE',
        `a batch holds at most ${maxBatch} events (got ${input.events.length})`,
        { field: 'events', max: maxBatch },
      );
    let receivedAt = this.clock.now();
    if (input.receivedAt) {
      const at = parseRfc3339(input.receivedAt);
      if (!at)
        throw new AnalyticsError(
          'INVALID_ARGUMENT',
          'TIME_INVALID',
          'received_at must be an RFC 3339 time',
          {
            field: 'received_at',
          },
        );
      receivedAt = at;
    }
    if (input.accountId && !isUuid(input.accountId))
      throw new AnalyticsError('INVALID_ARGUMENT', 'ID_INVALID', 'account_id must be a UUID', {
        field: 'account_id',
      });
    const { accepted, rejected } = collectBatch(input.events, {
      receivedAt,
      accountId: input.accountId,
      skewMs: this.settings.skewMs,
      maxLateMs: this.settings.maxLateMs,
    });
    if (accepted.length > 0) {
      try {
        await this.publisher.publish(accepted);
      } catch (e) {
        throw new AnalyticsError(
          'UNAVAILABLE',
          'DEPENDENCY_UNAVAILABLE',
          `the event stream cannot take the batch now, send it again: ${(e as Error).message}`,
        );
      }
    }
    return { accepted: accepted.length, rejected };
  }
}
