import { applyDecorators } from '@nestjs/common';
import { Transform } from 'class-transformer';
import {
  IsInt,
  isISO8601,
  Max,
  Min,
  ValidateBy,
  ValidateIf,
  type ValidationOptions,
} from 'class-validator';

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;

export const isRfc3339 = (v: unknown): boolean =>
  typeof v === 'string' && RFC3339.test(v) && isISO8601(v, { strict: true });

/** An RFC 3339 date-time with a zone (`2026-11-11T00:00:00Z`, `…+08:00`), a real calendar day. */
export const IsRfc3339 = (options?: ValidationOptions) =>
  ValidateBy(
    {
      name: 'isRfc3339',
      validator: {
        validate: isRfc3339,
        defaultMessage: (args) =>
          `${args?.property} must be an RFC 3339 date-time with a zone, such as 2026-11-11T00:00:00Z`,
      },
    },
    options,
  );

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** A calendar day `YYYY-MM-DD` that exists (2026-02-30 does not). */
export const isCalendarDay = (v: unknown): boolean => {
  if (typeof v !== 'string' || !DAY.test(v)) return false;
  const d = new Date(`${v}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === v;
};

/** A day as `YYYY-MM-DD`, a real calendar day. */
export const IsCalendarDay = (options?: ValidationOptions) =>
  ValidateBy(
    {
      name: 'isCalendarDay',
      validator: {
        validate: isCalendarDay,
        defaultMessage: (args) =>
          `${args?.property} must be a day as YYYY-MM-DD, such as 2026-11-11`,
      },
    },
    options,
  );

/** A whole number that fits the proto's int32. */
export const IsInt32 = () => applyDecorators(IsInt(), Min(-2_147_483_648), Max(2_147_483_647));

/**
 * Exactly one of `properties` is given. Put it on one of them, without `@IsOptional` (so it runs
 * when that one is missing too).
 */
export const ExactlyOneOf = (properties: string[], options?: ValidationOptions) =>
  ValidateBy(
    {
      name: 'exactlyOneOf',
      constraints: properties,
      validator: {
        validate: (_v, args) =>
          properties.filter((p) => (args?.object as Record<string, unknown>)[p] !== undefined)
            .length === 1,
        defaultMessage: () => `give exactly one of ${properties.join(' and ')}`,
      },
    },
    options,
  );

const BODY_MAY_BE_OMITTED = Symbol('bodyMayBeOmitted');

/**
 * A route's body of this class may be left out (no body is `{}`), for routes that took none
 * before and gained optional fields: the validation pipe takes a missing body as `{}` and the
 * OpenAPI document says `requestBody.required: false`. `null`, an array or a string are still
 * 400 BODY_REQUIRED.
 */
export const BodyMayBeOmitted = (): ClassDecorator => (target) => {
  Object.defineProperty(target, BODY_MAY_BE_OMITTED, { value: true });
};

/** Whether a body class is marked with `@BodyMayBeOmitted()`. */
export const bodyMayBeOmitted = (cls: unknown): boolean =>
  typeof cls === 'function' &&
  (cls as unknown as Record<symbol, unknown>)[BODY_MAY_BE_OMITTED] === true;

/** Marks the two decorators below, so the OpenAPI contract can tell optional from conditional. */
export const OPTIONAL = Symbol('optional');

/**
 * The property may be left out, but not sent as `null`: class-validator's `@IsOptional` skips
 * the checks for `null` too, which silently stores `"active": null` as false. Properties that
 * mean something by `null` say so with their own `@ValidateIf`.
 */
export const Optional = (options?: ValidationOptions) =>
  ValidateIf((_o, value) => value !== undefined, { ...options, context: OPTIONAL });

/** The property may be left out or sent as `null` (both mean "not set"; its schema says nullable). */
export const OptionalNullable = (options?: ValidationOptions) =>
  ValidateIf((_o, value) => value !== undefined && value !== null, {
    ...options,
    context: OPTIONAL,
  });

/**
 * A number from the query string. Only decimal digits (with a sign and a fraction) make a number;
 * anything else (an empty `?limit=`, blanks, hex, an exponent, a repeated parameter's list)
 * becomes NaN, so the number checks after it refuse it. class-transformer's `@Type(() => Number)`
 * turned an empty value into 0.
 */
export const QueryNumber = () =>
  Transform(({ value }: { value: unknown }) =>
    typeof value === 'string'
      ? /^-?\d+(\.\d+)?$/.test(value)
        ? Number(value)
        : Number.NaN
      : Array.isArray(value)
        ? Number.NaN
        : value,
  );
