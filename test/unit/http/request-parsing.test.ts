import type { APIGatewayProxyEvent } from 'aws-lambda';
import * as z from 'zod';
import { MAX_BODY_BYTES, parseJson, readRawBody } from '../../../lambdas/shared/http/json-body';
import { fieldPath, parseOrThrow } from '../../../lambdas/shared/http/validation';
import { ValidationError } from '../../../lambdas/shared/http/errors';

const event = (body: string | null, contentType?: string, isBase64Encoded = false) =>
  ({ body, isBase64Encoded, headers: contentType ? { 'Content-Type': contentType } : {} }) as unknown as APIGatewayProxyEvent;

describe('reading a body', () => {
  it('accepts JSON media types, with parameters, in any case', () => {
    expect(readRawBody(event('{}', 'application/json; charset=utf-8'))).toBe('{}');
    expect(readRawBody(event('{}', 'Application/Vnd.Api+JSON'))).toBe('{}');
  });

  it('refuses other or missing media types with 415 unless the route also accepts them', () => {
    expect(() => readRawBody(event('{}', 'text/plain'))).toThrow(expect.objectContaining({ statusCode: 415 }));
    expect(() => readRawBody(event('{}'))).toThrow(expect.objectContaining({ statusCode: 415 }));
    expect(readRawBody(event('{}', 'text/plain'), { alsoAccept: ['text/plain'] })).toBe('{}');
  });

  it('refuses more than 1 MiB with 413, counting bytes not characters', () => {
    const atLimit = 'é'.repeat(MAX_BODY_BYTES / 2);
    expect(readRawBody(event(atLimit, 'application/json'))).toBe(atLimit);
    expect(() => readRawBody(event(`${atLimit}x`, 'application/json'))).toThrow(expect.objectContaining({ statusCode: 413 }));
  });

  it('checks size before media type, as API.md orders them', () => {
    expect(() => readRawBody(event('x'.repeat(MAX_BODY_BYTES + 1), 'text/html'))).toThrow(expect.objectContaining({ statusCode: 413 }));
  });

  it('refuses invalid UTF-8 with 400', () => {
    const invalid = Buffer.from([0x7b, 0xff, 0xfe, 0x7d]).toString('base64');
    expect(() => readRawBody(event(invalid, 'application/json', true))).toThrow(expect.objectContaining({ statusCode: 400 }));
  });

  it('parses JSON without letting prototype keys through', () => {
    const parsed = parseJson('{"a":1,"__proto__":{"polluted":true},"b":{"constructor":{"prototype":{"x":1}}}}') as Record<string, unknown>;
    expect(parsed).toEqual({ a: 1, b: {} });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(() => parseJson('{"a":')).toThrow(expect.objectContaining({ code: 'invalid_json' }));
    expect(() => parseJson('  ')).toThrow(expect.objectContaining({ code: 'invalid_json' }));
  });
});

describe('naming bad fields', () => {
  it('writes paths the way API.md shows them', () => {
    expect(fieldPath(['alerts', 1, 'severity'])).toBe('alerts[1].severity');
    expect(fieldPath(['labels', 'env'])).toBe('labels.env');
    expect(fieldPath([])).toBe('body');
  });

  it('throws a 400 listing every bad field', () => {
    const schema = z.object({ a: z.string(), b: z.number() });
    try {
      parseOrThrow(schema, { a: 1 });
      throw new Error('expected a validation error');
    } catch (error) {
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).details?.map((detail) => detail.field)).toEqual(['a', 'b']);
    }
  });
});
