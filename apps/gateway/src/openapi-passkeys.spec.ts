import type { OpenAPIObject } from '@nestjs/swagger';
import { buildOfflineOpenApiDocument } from './openapi-offline';

type Operation = {
  parameters?: { name: string; in: string; required?: boolean; schema?: Record<string, unknown> }[];
  requestBody?: { required?: boolean; content: Record<string, { schema: { $ref?: string } }> };
  responses: Record<string, { description?: string }>;
  security?: Record<string, string[]>[];
};
type Schema = {
  properties: Record<string, Record<string, unknown>>;
  required?: string[];
  additionalProperties?: boolean;
};

/**
 * The OpenAPI contract of the passkey routes (issue 23): the customer's own passkeys (signed in,
 * the changes behind a step-up), the public sign-in (rate limited), the MFA step's PASSKEY answer,
 * the bodies as the server checks them and the codes each status carries.
 */
describe('the OpenAPI contract of the passkey routes', () => {
  let doc: OpenAPIObject;

  beforeAll(async () => {
    doc = await buildOfflineOpenApiDocument(['CNY']);
  });

  const op = (verb: 'get' | 'post' | 'patch' | 'delete', path: string) => {
    const found = doc.paths[path]?.[verb] as Operation | undefined;
    if (!found) throw new Error(`no ${verb.toUpperCase()} ${path} in the document`);
    return found;
  };
  const schema = (name: string) => (doc.components!.schemas as Record<string, Schema>)[name];
  const description = (o: Operation, status: string) => o.responses[status]?.description ?? '';

  it('keeps the customer’s passkeys signed in, the changes behind a step-up', () => {
    const mine = [
      ['get', '/v1/me/passkeys'],
      ['post', '/v1/me/passkeys/registration-options'],
      ['post', '/v1/me/passkeys'],
      ['patch', '/v1/me/passkeys/{id}'],
      ['delete', '/v1/me/passkeys/{id}'],
    ] as const;
    for (const [verb, path] of mine) expect(op(verb, path).security).toEqual([{ bearer: [] }]);
    for (const [verb, path] of mine.slice(1))
      expect(description(op(verb, path), '403')).toContain('STEP_UP_REQUIRED');
    expect(op('patch', '/v1/me/passkeys/{id}').parameters).toContainEqual(
      expect.objectContaining({
        name: 'id',
        in: 'path',
        schema: expect.objectContaining({ pattern: '^[A-Za-z0-9_-]{1,1400}$' }),
      }),
    );
    expect(description(op('post', '/v1/me/passkeys'), '409')).toContain(
      'PASSKEY_ALREADY_REGISTERED',
    );
    expect(description(op('delete', '/v1/me/passkeys/{id}'), '404')).toContain('PASSKEY_NOT_FOUND');
  });

  it('signs in publicly, rate limited, the options body optional', () => {
    for (const path of ['/v1/auth/passkey/options', '/v1/auth/passkey']) {
      expect(op('post', path).security).toBeUndefined();
      expect(description(op('post', path), '429')).toContain("'passkey'");
    }
    expect(op('post', '/v1/auth/passkey/options').requestBody?.required).toBe(false);
    expect(op('post', '/v1/auth/passkey').requestBody?.required).toBe(true);
    expect(description(op('post', '/v1/auth/passkey'), '401')).toContain(
      'PASSKEY_VERIFICATION_FAILED',
    );
    expect(description(op('post', '/v1/auth/passkey'), '403')).toContain('ACCOUNT_FROZEN');
  });

  it('states the bodies: the WebAuthn JSON as objects, names of 1 to 60', () => {
    expect(schema('PasskeyRegistrationDto')).toMatchObject({
      required: ['response'],
      additionalProperties: false,
      properties: { name: { type: 'string', maxLength: 60 }, response: { type: 'object' } },
    });
    expect(schema('PasskeyRenameDto')).toMatchObject({
      required: ['name'],
      properties: { name: { minLength: 1, maxLength: 60 } },
    });
    expect(schema('PasskeyLoginDto').required).toEqual(['passkeyChallenge', 'response']);
    expect(schema('PasskeyOptionsDto').required ?? []).toEqual([]);
    // the MFA step takes a passkey's answer instead of a code
    expect(schema('MfaLoginDto').properties.method.enum).toContain('PASSKEY');
    expect(schema('MfaLoginDto').properties.passkeyResponse).toMatchObject({ type: 'object' });
    expect(schema('MfaLoginDto').required).toEqual(['challenge']);
  });

  it('answers passkeys without their keys, lastUsedAt null until used', () => {
    expect(Object.keys(schema('PasskeyView').properties).sort()).toEqual(
      ['backedUp', 'createdAt', 'id', 'lastUsedAt', 'name', 'transports'].sort(),
    );
    expect(schema('PasskeyView').properties.lastUsedAt.type).toEqual(['string', 'null']);
    expect(schema('RegisteredPasskeyView').required).toEqual(['passkey', 'recoveryCodes']);
  });
});
