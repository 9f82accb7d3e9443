import {
  ARRAY_MAX_SIZE,
  ARRAY_MIN_SIZE,
  getMetadataStorage,
  IS_ARRAY,
  IS_BOOLEAN,
  IS_IN,
  IS_INT,
  IS_LENGTH,
  IS_NUMBER,
  IS_OBJECT,
  IS_STRING,
  IS_UUID,
  MATCHES,
  MAX,
  MAX_LENGTH,
  MIN,
  MIN_LENGTH,
  NOT_EQUALS,
  ValidationTypes,
} from 'class-validator';
import { OPTIONAL } from './dto/validators';
import type { SchemaObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';

/**
 * The JSON Schema keywords a DTO's class-validator decorators enforce, so that the OpenAPI
 * document says what the validation pipe checks (lengths, patterns, integers, ranges, enums,
 * array sizes, "exactly one of") without each rule being written twice. A validator this file
 * does not know stops the document from being built: a new rule must say how it is documented.
 */

/** A DTO class (class-validator and swagger keep their metadata on it). */
export type DtoClass = abstract new (...args: never[]) => unknown;

type Fragment = SchemaObject;
type Constraints = unknown[];

/** Keywords per validator name; `null`: nothing to add (the type or $ref already says it). */
const KEYWORDS: Record<string, ((c: Constraints) => Fragment) | null> = {
  [IS_STRING]: () => ({ type: 'string' }),
  [IS_BOOLEAN]: () => ({ type: 'boolean' }),
  [IS_INT]: () => ({ type: 'integer' }),
  [IS_NUMBER]: () => ({ type: 'number' }),
  [IS_ARRAY]: () => ({ type: 'array' }),
  [IS_OBJECT]: null,
  [MIN_LENGTH]: ([min]) => ({ minLength: min as number }),
  [MAX_LENGTH]: ([max]) => ({ maxLength: max as number }),
  [IS_LENGTH]: ([min, max]) => ({
    minLength: min as number,
    ...(typeof max === 'number' ? { maxLength: max } : {}),
  }),
  [MATCHES]: ([pattern, modifiers]) => {
    const re = pattern instanceof RegExp ? pattern : new RegExp(String(pattern), String(modifiers));
    if (re.flags.replace(/[gu]/g, ''))
      throw new Error(`OpenAPI: pattern /${re.source}/${re.flags} has flags JSON Schema lacks`);
    return { type: 'string', pattern: re.source };
  },
  [MIN]: ([min]) => ({ minimum: min as number }),
  [MAX]: ([max]) => ({ maximum: max as number }),
  [IS_IN]: ([values]) => ({ enum: [...(values as unknown[])] }),
  [IS_UUID]: () => ({ type: 'string', format: 'uuid' }),
  [ARRAY_MIN_SIZE]: ([min]) => ({ minItems: min as number }),
  [ARRAY_MAX_SIZE]: ([max]) => ({ maxItems: max as number }),
  [NOT_EQUALS]: ([value]) => ({ not: { const: value } }) as Fragment,
  isRfc3339: () => ({ type: 'string', format: 'date-time' }),
  isCalendarDay: () => ({ type: 'string', format: 'date' }),
  isStringMap: () => ({ type: 'object', additionalProperties: { type: 'string' } }),
  // a rule over several properties: see objectKeywords
  exactlyOneOf: null,
};

interface ClassRules {
  /** Keywords per property: on the value, or on each item of an array (`each`). */
  properties: Map<string, { own: Fragment; items: Fragment }>;
  /** Rules over the whole object. */
  object: Fragment;
  /** Properties that may be left out (`@Optional()`, `@OptionalNullable()`). */
  optional: Set<string>;
  /** Properties checked only under a condition of their own (`@ValidateIf`). */
  conditional: Set<string>;
  /** Properties with a check that fails when they are missing (any validator but nested). */
  checked: Set<string>;
}

function validatorName(m: { name?: string; constraintCls?: object }): string | undefined {
  if (!m.constraintCls) return m.name;
  return (
    getMetadataStorage().getTargetValidatorConstraints(m.constraintCls as DtoClass)[0]?.name ??
    m.name
  );
}

/** The keywords class-validator's decorators put on `cls`, per property. */
export function rulesOf(cls: DtoClass): ClassRules {
  const rules: ClassRules = {
    properties: new Map(),
    object: {},
    optional: new Set(),
    conditional: new Set(),
    checked: new Set(),
  };
  const metadata = getMetadataStorage().getTargetValidationMetadatas(cls, '', true, false);
  for (const m of metadata) {
    if (m.type === ValidationTypes.CONDITIONAL_VALIDATION)
      (m.context === OPTIONAL ? rules.optional : rules.conditional).add(m.propertyName);
    if (m.type !== ValidationTypes.CUSTOM_VALIDATION) continue; // nested, conditional, whitelist
    rules.checked.add(m.propertyName);
    const name = validatorName(m);
    if (!name || !(name in KEYWORDS))
      throw new Error(
        `OpenAPI: ${cls.name}.${m.propertyName} uses validator '${name}', which validation-schema.ts does not document`,
      );
    const constraints = (m.constraints ?? []) as Constraints;
    if (name === 'exactlyOneOf') {
      const props = constraints as string[];
      rules.object = { oneOf: props.map((p) => ({ required: [p] })) };
      continue;
    }
    const keywords = KEYWORDS[name]?.(constraints);
    if (!keywords) continue;
    const entry = rules.properties.get(m.propertyName) ?? { own: {}, items: {} };
    Object.assign(m.each ? entry.items : entry.own, keywords);
    rules.properties.set(m.propertyName, entry);
  }
  return rules;
}

/**
 * Adds validator keywords to a generated schema. The validator's type wins over the generated
 * one (a `number | null` property is generated as an object; `@IsInt` makes a number an
 * integer); a nullable type keeps its `null`.
 */
const merge = (schema: SchemaObject, add: Fragment): void => {
  const { type, ...rest } = add;
  Object.assign(schema, rest);
  if (!type || '$ref' in schema || schema.allOf || schema.oneOf || schema.anyOf) return;
  const current = schema.type as string | string[] | undefined;
  const nullable = Array.isArray(current) && current.includes('null');
  schema.type = (nullable ? [type, 'null'] : type) as SchemaObject['type'];
};

/** Adds the keywords to a property's schema (and to its items when it is an array). */
export function applyPropertyRules(
  schema: SchemaObject,
  rules: { own: Fragment; items: Fragment },
): void {
  merge(schema, rules.own);
  if (Object.keys(rules.items).length) {
    const items = (schema.items ??= {}) as SchemaObject;
    if ('$ref' in items) return;
    merge(items, rules.items);
  }
}

/**
 * Adds every rule of `cls` to its object schema, after checking that the schema and the
 * validators agree on what is required: a property the schema requires is checked even when
 * missing (a nested object needs `@IsObject()`, or a missing one passes), and a property the
 * schema calls optional is `@Optional()` (or checked under a condition of its own).
 */
export function applyClassRules(schema: SchemaObject, cls: DtoClass, problems: string[]): void {
  const rules = rulesOf(cls);
  const required = new Set(schema.required ?? []);
  for (const prop of Object.keys(schema.properties ?? {})) {
    const where = `OpenAPI: ${cls.name}.${prop}`;
    if (required.has(prop) && rules.optional.has(prop))
      problems.push(`${where} is @Optional() but documented as required`);
    if (required.has(prop) && !rules.checked.has(prop))
      problems.push(`${where} is required but nothing fails when it is missing (add @IsObject())`);
    if (!required.has(prop) && !rules.optional.has(prop) && !rules.conditional.has(prop))
      problems.push(`${where} is documented as optional but is not @Optional()`);
  }
  Object.assign(schema, rules.object);
  for (const [prop, propRules] of rules.properties) {
    const property = schema.properties?.[prop] as SchemaObject | undefined;
    if (!property) {
      problems.push(`OpenAPI: ${cls.name}.${prop} is validated but not documented`);
      continue;
    }
    applyPropertyRules(property, propRules);
  }
}
