import type { PipeTransform, Type } from '@nestjs/common';
import { ROUTE_ARGS_METADATA } from '@nestjs/common/constants';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum';
import type { OpenAPIObject } from '@nestjs/swagger';
import type {
  OperationObject,
  ParameterObject,
  ReferenceObject,
  ResponseObject,
  SchemaObject,
} from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { authRequirementOf } from './auth.guard';
import { bodyMayBeOmitted } from './dto/validators';
import { MULTI_LINE_KEYS, NOT_PRINTABLE_ASCII, REFUSED_CHARACTERS } from './input-checks';
import { applyClassRules, applyPropertyRules, rulesOf, type DtoClass } from './validation-schema';

/**
 * What the server enforces, written into the OpenAPI document so that the document is the
 * contract (clients and schemathesis rely on it). Rules that hold for every route are added
 * here once, from the route metadata, rather than repeated on ~90 handlers:
 *
 * - path parameters: the schema their pipe checks (a UUID for `uuidParam`, ...);
 * - security: public routes have none, `@OptionalAuth` routes take a token or nothing,
 *   `@Auth` routes need one (401) and, with a role, that role (403);
 * - answers every route can give: 400 (validation), 414/431 (URI or headers too long),
 *   503/504 (a backend unavailable or too slow), and for routes with a body 413 (over 1 MiB)
 *   and 415 (not JSON);
 * - request bodies: unknown properties are refused (`forbidNonWhitelisted`), so every schema a
 *   body uses says `additionalProperties: false`; a route with a body requires one, unless its
 *   class is `@BodyMayBeOmitted()` (no body is `{}`);
 * - bodies and query parameters: what their class-validator decorators check
 *   (validation-schema.ts: lengths, patterns, integers, ranges, enums, "exactly one of");
 * - OpenAPI 3.1 has no `nullable`: `nullable: true` becomes a type that admits null;
 * - every `currency` (body or query) is one of the currencies the platform takes, and free text
 *   holds none of the characters the input checks refuse (input-checks.ts: controls, line
 *   breaks outside free text, bidi overrides), stated as `not: {pattern}`.
 */

const paramSchemas = new WeakMap<object, SchemaObject>();

/** Attaches the schema a path-parameter pipe enforces, for the OpenAPI document. */
export function describedPipe<P extends PipeTransform>(pipe: P, schema: SchemaObject): P {
  paramSchemas.set(pipe, schema);
  return pipe;
}

const PROBLEM = {
  'application/problem+json': { schema: { $ref: '#/components/schemas/ProblemView' } },
};

const problem = (description: string): ResponseObject => ({ description, content: PROBLEM });

/** Every 503 says when to retry (README: what a client sees during an outage). */
const UNAVAILABLE: ResponseObject = {
  ...problem(
    'RFC 9457 problem details: a dependency is unavailable (BACKEND_UNAVAILABLE, IDEMPOTENCY_STORE_UNAVAILABLE, RATE_LIMIT_UNAVAILABLE, REVOCATION_LIST_UNAVAILABLE, DEPENDENCY_UNAVAILABLE) or this gateway instance is shutting down (SHUTTING_DOWN): retry after Retry-After, a write with the same Idempotency-Key',
  ),
  headers: {
    'Retry-After': {
      description: 'seconds to wait before retrying',
      schema: { type: 'integer', minimum: 1 },
    },
  },
};

const COMMON: Record<string, ResponseObject> = {
  '400': problem('RFC 9457 problem details: the request is invalid (code and field errors)'),
  '503': UNAVAILABLE,
  '504': problem('RFC 9457 problem details: a backend service did not answer in time'),
  '414': problem('RFC 9457 problem details: the URI is over 8 KiB or a path parameter too long'),
  '431': problem('RFC 9457 problem details: the request line and headers are over 16 KiB'),
};
const WITH_BODY: Record<string, ResponseObject> = {
  '413': problem('RFC 9457 problem details: the body is over 1 MiB'),
  '415': problem('RFC 9457 problem details: the body is not application/json'),
};
const AUTH: Record<string, ResponseObject> = {
  '401': problem('RFC 9457 problem details: no access token, or an invalid or expired one'),
};
const ROLE: Record<string, ResponseObject> = {
  '403': problem('RFC 9457 problem details: the caller lacks the role the route needs'),
};

type ArgMetadata = Record<string, { index: number; data?: unknown; pipes?: unknown[] }>;

interface Route {
  controller: Type<unknown>;
  method: string;
  handler: (...args: unknown[]) => unknown;
}

function routesOf(controllers: Type<unknown>[]): Map<string, Route> {
  const routes = new Map<string, Route>();
  for (const controller of controllers) {
    const proto = controller.prototype as Record<string, unknown>;
    for (const method of Object.getOwnPropertyNames(proto)) {
      const handler = proto[method];
      if (method === 'constructor' || typeof handler !== 'function') continue;
      routes.set(`${controller.name}_${method}`, {
        controller,
        method,
        handler: handler as Route['handler'],
      });
    }
  }
  return routes;
}

const isRef = (s: unknown): s is ReferenceObject =>
  typeof s === 'object' && s !== null && '$ref' in s;

/** Names of the component schemas `schema` uses, directly or through others. */
function collectRefs(schema: unknown, into: Set<string>, doc: OpenAPIObject): void {
  if (Array.isArray(schema)) {
    for (const s of schema) collectRefs(s, into, doc);
    return;
  }
  if (typeof schema !== 'object' || schema === null) return;
  if (isRef(schema)) {
    const name = schema.$ref.replace('#/components/schemas/', '');
    if (into.has(name)) return;
    into.add(name);
    collectRefs(doc.components?.schemas?.[name], into, doc);
    return;
  }
  for (const value of Object.values(schema)) collectRefs(value, into, doc);
}

/** @nestjs/swagger's metadata keys of @ApiProperty (its package exports no constants). */
const DECORATORS = {
  API_MODEL_PROPERTIES: 'swagger/apiModelProperties',
  API_MODEL_PROPERTIES_ARRAY: 'swagger/apiModelPropertiesArray',
};

/** DTO classes a class's documented properties use (itself included), by schema name. */
function dtoClasses(cls: DtoClass, into = new Map<string, DtoClass>()): Map<string, DtoClass> {
  if (into.has(cls.name)) return into;
  into.set(cls.name, cls);
  const props =
    (Reflect.getMetadata(DECORATORS.API_MODEL_PROPERTIES_ARRAY, cls.prototype) as
      string[] | undefined) ?? [];
  for (const key of props) {
    const meta = Reflect.getMetadata(
      DECORATORS.API_MODEL_PROPERTIES,
      cls.prototype,
      key.replace(/^:/, ''),
    ) as { type?: unknown } | undefined;
    let type = meta?.type;
    if (Array.isArray(type)) type = type[0];
    if (typeof type === 'function' && !type.prototype) type = (type as () => unknown)();
    if (Array.isArray(type)) type = type[0];
    if (
      typeof type === 'function' &&
      Reflect.getMetadata(DECORATORS.API_MODEL_PROPERTIES_ARRAY, type.prototype)
    )
      dtoClasses(type as DtoClass, into);
  }
  return into;
}

/** Adds the refused characters to a free string (not an enum, not of a format) as `not`. */
function refuseCharacters(schema: SchemaObject | ReferenceObject | undefined, multiLine: boolean) {
  if (!schema || isRef(schema)) return;
  const types = Array.isArray(schema.type) ? schema.type : [schema.type];
  if (types.includes('string') && !schema.enum && !schema.format && !schema.not)
    // `type: string` in the `not`: a pattern alone holds for any value that is not a string, so a
    // nullable string's null would match it, and be refused by the document (the API takes it)
    schema.not = {
      type: 'string',
      pattern: (multiLine ? REFUSED_CHARACTERS.multiLine : REFUSED_CHARACTERS.singleLine).source,
    };
  if (types.includes('array')) refuseCharacters(schema.items, multiLine);
  if (types.includes('object') && typeof schema.additionalProperties === 'object') {
    refuseCharacters(schema.additionalProperties, multiLine);
    (schema as { propertyNames?: SchemaObject }).propertyNames ??= {
      not: { pattern: REFUSED_CHARACTERS.singleLine.source },
    };
  }
}

/** The input checks' text rule on every string of a body, query or path (input-checks.ts). */
function documentTextRule(doc: OpenAPIObject, bodySchemas: Set<string>): void {
  for (const name of bodySchemas) {
    const schema = doc.components?.schemas?.[name];
    if (!schema || isRef(schema)) continue;
    for (const [key, property] of Object.entries(schema.properties ?? {}))
      refuseCharacters(property, MULTI_LINE_KEYS.has(key));
  }
  for (const item of Object.values(doc.paths))
    for (const op of [item.get, item.put, item.post, item.delete, item.patch])
      for (const p of op?.parameters ?? [])
        if (isRef(p)) continue;
        else if (p.in === 'query' || p.in === 'path') refuseCharacters(p.schema, false);
        else if (p.in === 'header' && p.schema && !isRef(p.schema) && !p.schema.pattern)
          p.schema.not = { pattern: NOT_PRINTABLE_ASCII.source }; // TEXT_HEADERS
}

/** Every string property or query parameter named `currency` takes only `currencies`. */
function restrictCurrencies(doc: OpenAPIObject, currencies: readonly string[]): void {
  const restrict = (schema: SchemaObject | ReferenceObject | undefined) => {
    if (schema && !isRef(schema) && (schema.type === 'string' || schema.pattern))
      schema.enum = [...currencies];
  };
  for (const schema of Object.values(doc.components?.schemas ?? {}))
    if (!isRef(schema)) restrict(schema.properties?.currency);
  for (const item of Object.values(doc.paths))
    for (const op of [item.get, item.put, item.post, item.delete, item.patch])
      for (const p of op?.parameters ?? [])
        if (!isRef(p) && p.in === 'query' && p.name === 'currency') restrict(p.schema);
}

/** `nullable: true` (OpenAPI 3.0) as OpenAPI 3.1 says it: null is one of the types. */
function nullableTo31(node: unknown): void {
  if (Array.isArray(node)) return node.forEach(nullableTo31);
  if (typeof node !== 'object' || node === null) return;
  const schema = node as Record<string, unknown>;
  for (const value of Object.values(schema)) nullableTo31(value);
  if (schema.nullable !== true) return;
  delete schema.nullable;
  if (typeof schema.type === 'string') schema.type = [schema.type, 'null'];
  if (Array.isArray(schema.enum) && !schema.enum.includes(null))
    schema.enum = [...schema.enum, null];
  if (typeof schema.$ref === 'string' || Array.isArray(schema.allOf)) {
    const { description, ...rest } = schema;
    for (const k of Object.keys(schema)) delete schema[k];
    Object.assign(schema, {
      ...(description ? { description } : {}),
      anyOf: [rest.$ref ? { $ref: rest.$ref } : { allOf: rest.allOf }, { type: 'null' }],
    });
  }
}

/** Completes the generated document with the rules above; throws on a path parameter no pipe describes. */
export function completeContract(
  doc: OpenAPIObject,
  controllers: Type<unknown>[],
  options: { currencies?: readonly string[] } = {},
): OpenAPIObject {
  const routes = routesOf(controllers);
  const bodySchemas = new Set<string>();
  const bodyClasses = new Map<string, DtoClass>();
  const undescribed: string[] = []; // what the document cannot state truthfully
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const verb of ['get', 'put', 'post', 'delete', 'patch'] as const) {
      const op: OperationObject | undefined = item[verb];
      if (!op) continue;
      const route = op.operationId ? routes.get(op.operationId) : undefined;
      if (!route) throw new Error(`OpenAPI: no handler for ${verb.toUpperCase()} ${path}`);
      const args =
        (Reflect.getMetadata(ROUTE_ARGS_METADATA, route.controller, route.method) as
          ArgMetadata | undefined) ?? {};
      const paramTypes =
        (Reflect.getMetadata('design:paramtypes', route.controller.prototype, route.method) as
          DtoClass[] | undefined) ?? [];
      let hasBody = false;
      let bodyOptional = false;
      for (const [key, arg] of Object.entries(args)) {
        const type = Number(key.split(':')[0]);
        const dto = paramTypes[arg.index];
        const isDto = typeof dto === 'function' && dto !== Object && dto !== String;
        if (type === RouteParamtypes.BODY) {
          hasBody = true;
          bodyOptional = isDto && bodyMayBeOmitted(dto);
          if (isDto) for (const [name, cls] of dtoClasses(dto)) bodyClasses.set(name, cls);
        }
        if (type === RouteParamtypes.QUERY && isDto) {
          const rules = rulesOf(dto);
          for (const p of op.parameters ?? []) {
            if (isRef(p) || p.in !== 'query') continue;
            const where = `OpenAPI: ${dto.name}.${p.name} (query)`;
            if (p.required && rules.optional.has(p.name))
              undescribed.push(`${where} is @Optional() but documented as required`);
            if (!p.required && !rules.optional.has(p.name) && !rules.conditional.has(p.name))
              undescribed.push(`${where} is documented as optional but is not @Optional()`);
            const propertyRules = rules.properties.get(p.name);
            if (propertyRules) applyPropertyRules((p.schema ??= {}) as SchemaObject, propertyRules);
          }
        }
        if (type !== RouteParamtypes.PARAM || typeof arg.data !== 'string') continue;
        const schema = (arg.pipes ?? [])
          .map((p) => (typeof p === 'object' && p ? paramSchemas.get(p) : undefined))
          .find(Boolean);
        if (!schema) {
          undescribed.push(
            `OpenAPI: ${verb.toUpperCase()} ${path} {${arg.data}} needs a pipe made with describedPipe()`,
          );
          continue;
        }
        const params = (op.parameters ??= []);
        const param = params.find(
          (p): p is ParameterObject => !isRef(p) && p.in === 'path' && p.name === arg.data,
        );
        if (param) param.schema = { ...schema };
        else params.push({ name: arg.data, in: 'path', required: true, schema: { ...schema } });
      }

      // on the handler, else on its controller (as the guard reads it)
      const auth = authRequirementOf(route.handler) ?? authRequirementOf(route.controller);
      if (!auth) delete op.security;
      else op.security = auth.optional ? [{ bearer: [] }, {}] : [{ bearer: [] }];
      op.responses = {
        ...COMMON,
        ...(hasBody ? WITH_BODY : {}),
        ...(auth ? AUTH : {}),
        ...(auth?.role ? ROLE : {}),
        ...op.responses,
        '503': UNAVAILABLE,
      };
      if (hasBody && op.requestBody && !isRef(op.requestBody)) {
        op.requestBody.required = !bodyOptional;
        collectRefs(op.requestBody.content, bodySchemas, doc);
      }
    }
  }
  for (const [name, cls] of bodyClasses) {
    const schema = doc.components?.schemas?.[name];
    if (schema && !isRef(schema)) applyClassRules(schema, cls, undescribed);
  }
  if (undescribed.length)
    throw new Error(
      `the OpenAPI document would not say what the server checks:\n${undescribed.join('\n')}`,
    );
  for (const name of bodySchemas) {
    const schema = doc.components?.schemas?.[name];
    if (schema && !isRef(schema) && schema.type === 'object') schema.additionalProperties ??= false;
  }
  if (options.currencies) restrictCurrencies(doc, options.currencies);
  documentTextRule(doc, bodySchemas);
  nullableTo31(doc);
  return doc;
}
