import fc from 'fast-check';

/**
 * Body generators for the API fuzz suite (`test/integration/fuzz.test.ts`): arbitrary JSON,
 * raw text, invalid UTF-8, deep nesting, oversized bodies, prototype-pollution keys and
 * near-valid bodies (a valid body with one field broken). Pure: no I/O, no handler.
 */

/** One request body as API Gateway hands it to a Lambda. */
export interface FuzzBody {
  /** `event.body`: text, base64 when `isBase64Encoded`, null for no body. */
  readonly body: string | null;
  readonly isBase64Encoded: boolean;
}

export const textBody = (body: string | null): FuzzBody => ({ body, isBase64Encoded: false });
export const bytesBody = (bytes: Uint8Array): FuzzBody => ({ body: Buffer.from(bytes).toString('base64'), isBase64Encoded: true });

/** A JSON-shaped value (what `JSON.parse` can return). */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Path = ReadonlyArray<string | number>;

export const PROTOTYPE_KEYS = ['__proto__', 'constructor', 'prototype'] as const;
/** Properties a successful pollution would add to `Object.prototype`. */
export const POLLUTION_MARKERS = ['polluted', 'x', 'fuzzPolluted'] as const;

/** Object keys fast-check draws for arbitrary JSON: junk, prototype keys and the API's own field names. */
const fuzzKey = fc.oneof(
  { weight: 3, arbitrary: fc.string({ maxLength: 12 }) },
  { weight: 1, arbitrary: fc.constantFrom(...PROTOTYPE_KEYS) },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      'alerts', 'labels', 'asset_name', 'signature', 'severity', 'message', 'status', 'source', 'dedup_key', 'occurred_at',
      'time_window_minutes', 'auto_correlate', 'critical_assets', 'hmac_enabled', 'rotate_secret', 'enabled', 'account_id',
      'role_arn', 'region', 'allowed_runbooks', 'external_id', 'runbook', 'instance_id', 'parameters', 'note', 'id', 'name',
      'scopes', 'requests_per_second', 'burst', 'Type', 'Message', 'payload', 'event_action', 'title', 'polluted',
    ),
  },
);

/** `fc.anything()`-style values, serialized as a sender would; `undefined` serializes to no body at all. */
export const anythingBody: fc.Arbitrary<FuzzBody> = fc
  .oneof(
    fc.anything({ key: fuzzKey, maxDepth: 4, withBoxedValues: true, withNullPrototype: true, withObjectString: true, withSparseArray: true, withDate: true, withTypedArray: true, withMap: true, withSet: true }),
    fc.jsonValue({ maxDepth: 4 }),
    fc.dictionary(fuzzKey, fc.jsonValue({ maxDepth: 2 }), { maxKeys: 8 }),
  )
  .map((value) => textBody(JSON.stringify(value) ?? null));

const LONE_SURROGATES = ['\ud800', '\udbff', '\udc00', '\udfff', 'a\ud83d', '\ude00b'];

/** Text that breaks naive handling: lone surrogates, NUL, BOM, bidi overrides, zero-width and combining marks, blanks. */
export const trickyText: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    ...LONE_SURROGATES,
    '\u0000', 'a\u0000b', '\ufeff', '\u202e\u202dx', '\u200b', 'e\u0301', '\u0065\u0301\u0301\u0301', '   ', '\t\n\r', '',
    '😀', '👩‍👩‍👧‍👦', '中文', '\u{10ffff}', '\ufffd', 'ＡＢＣ', 'İ', 'ß', 'ﬁ', '\u2028\u2029', '${7*7}', '{{7*7}}', "'; DROP TABLE x; --",
    '../../etc/passwd', '%00', '%s%s%n', 'TENANT#other', 'ALERT#01', '#', '*', 'null', 'undefined', 'NaN', '-0', '1e400',
  ),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.string({ unit: fc.constantFrom(...LONE_SURROGATES, 'a', '😀', '\u0000'), maxLength: 12 }),
);

/** Raw text bodies: junk strings, near-JSON, truncated JSON, JSON with trailing garbage, a BOM, duplicate keys, comments, NaN. */
export function rawStringBody(validJson: string): fc.Arbitrary<FuzzBody> {
  return fc
    .oneof(
      fc.string(),
      fc.string({ unit: 'binary' }),
      fc.string({ unit: 'grapheme' }),
      trickyText,
      fc.nat({ max: Math.max(0, validJson.length - 1) }).map((cut) => validJson.slice(0, cut)),
      fc.string({ minLength: 1, maxLength: 8 }).map((junk) => `${validJson}${junk}`),
      fc.constantFrom(
        `\ufeff${validJson}`,
        `${validJson}${validJson}`,
        validJson.replace('{', '{"severity":"critical","severity":5,'),
        validJson.replace('{', '{/* comment */'),
        validJson.replace('{', "{'single':'quotes',"),
        validJson.replace(/:/, ': NaN, "n":'),
        '{', '}', '[', '"', '""', 'null', 'true', '0', '-0', '1e400', '[]', '{}', '[{}]', '{"alerts":[]}', '{"alerts":null}',
        '\u0000', ' ', '\n', '\t{}\t', 'undefined', "{'a':1}", '{"a":1,}', '[1,]', '{"a" 1}', '{"\\ud800":"\\udfff"}', '"\\u0000"',
      ),
    )
    .map(textBody);
}

const INVALID_UTF8_SEQUENCES: readonly number[][] = [
  [0xff],
  [0xfe, 0xff],
  [0xc0, 0xaf], // overlong "/"
  [0xe0, 0x80, 0xaf], // overlong
  [0xed, 0xa0, 0x80], // a UTF-16 surrogate, encoded
  [0xe2, 0x82], // truncated "€"
  [0xf4, 0x90, 0x80, 0x80], // above U+10FFFF
  [0x80], // lone continuation byte
  [0xf8, 0x88, 0x80, 0x80, 0x80], // five-byte form
];

/** Random bytes holding at least one invalid UTF-8 sequence, alone or inside an otherwise valid JSON body. */
export function invalidUtf8Body(validJson: string): fc.Arbitrary<FuzzBody> {
  const valid = Buffer.from(validJson, 'utf8');
  return fc
    .tuple(
      fc.oneof(fc.uint8Array({ maxLength: 64 }), fc.constant(new Uint8Array(valid))),
      fc.constantFrom(...INVALID_UTF8_SEQUENCES),
      fc.nat(),
    )
    .map(([bytes, bad, at]) => {
      const position = bytes.length === 0 ? 0 : at % (bytes.length + 1);
      return bytesBody(new Uint8Array([...bytes.subarray(0, position), ...bad, ...bytes.subarray(position)]));
    });
}

/** Valid UTF-8 sent base64-encoded (a binary media type in API Gateway): must behave as the same text sent plain. */
export const base64Of = (text: string): FuzzBody => ({ body: Buffer.from(text, 'utf8').toString('base64'), isBase64Encoded: true });

/** `[[[…]]]`, `{"a":{"a":…}}` or a mix, `depth` levels deep, as raw JSON text. */
export function nestedText(depth: number, shape: 'array' | 'object' | 'mixed'): string {
  if (shape === 'array') return '['.repeat(depth) + ']'.repeat(depth);
  if (shape === 'object') return '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
  return '[{"a":'.repeat(depth) + '[]' + '}]'.repeat(depth);
}

const NESTING_DEPTHS = [5_000, 4_999, 5_001, 1_000, 100, 20_000, 100_000] as const;
const NESTING_SHAPES = ['array', 'object', 'mixed'] as const;

/**
 * Deeply nested arrays and objects, around and beyond depth 5,000, as the whole body or as
 * one field of a valid body. `rootArray`: the body is an array, which no route accepts.
 */
export function deepNestingBody(valid: Json): fc.Arbitrary<FuzzBody & { readonly rootArray: boolean }> {
  const paths = pathsOf(valid);
  return fc
    .tuple(fc.constantFrom(...NESTING_DEPTHS), fc.constantFrom(...NESTING_SHAPES), paths.length ? fc.option(fc.constantFrom(...paths), { freq: 2 }) : fc.constant(null))
    .map(([depth, shape, path]) => {
      const whole = path === null;
      const body = textBody(whole ? nestedText(depth, shape) : serialize(replaced(valid, path, rawMarker(nestedText(depth, shape)))));
      return { ...body, rootArray: whole && shape !== 'object' };
    });
}

export const MIB = 1024 * 1024;

/** Bodies over 1 MiB (by bytes, some under 1 Mi characters), built once: generating them per run would dominate the suite. */
export function oversizedBodies(validJson: string): FuzzBody[] {
  const padded = (filler: string, bytesPerChar: number) => {
    const count = Math.ceil((MIB + 1) / bytesPerChar);
    return validJson.replace('{', `{"pad":"${filler.repeat(count)}",`);
  };
  const exactlyOver = validJson.replace('{', `{"pad":"${'a'.repeat(MIB + 1 - Buffer.byteLength(validJson) - 9)}",`);
  return [
    textBody(padded('a', 1)),
    textBody(padded('é', 2)), // ~524k characters, > 1 MiB as UTF-8
    textBody(padded('€', 3)),
    textBody(padded('😀', 4)),
    textBody(exactlyOver), // 1 MiB + 1 byte
    textBody('['.repeat(MIB + 1)),
    textBody(' '.repeat(MIB) + validJson),
    textBody(`[${Array.from({ length: Math.ceil((MIB + 1) / (Buffer.byteLength(validJson) + 1)) }, () => validJson).join(',')}]`),
    base64Of(padded('a', 1)),
    { body: Buffer.alloc(MIB + 1, 0xff).toString('base64'), isBase64Encoded: true },
  ];
}

/** Exactly 1 MiB: must not be refused for its size. */
export function bodyOfExactlyOneMiB(validJson: string): FuzzBody {
  const body = validJson.replace('{', `{"pad":"${'a'.repeat(MIB - Buffer.byteLength(validJson) - 9)}",`);
  if (Buffer.byteLength(body) !== MIB) throw new Error(`expected 1 MiB, got ${Buffer.byteLength(body)}`);
  return textBody(body);
}

// ---------------------------------------------------------------------------------------
// Near-valid bodies: a valid body with ONE field broken.

function clone(value: Json): Json {
  return JSON.parse(JSON.stringify(value)) as Json;
}

const isObject = (value: Json | undefined): value is { [key: string]: Json } => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Every path into a value (not the root), objects and arrays included. */
export function pathsOf(value: Json, prefix: Path = []): Path[] {
  if (Array.isArray(value)) return value.flatMap((item, index) => [[...prefix, index], ...pathsOf(item, [...prefix, index])]);
  if (isObject(value)) return Object.entries(value).flatMap(([key, item]) => [[...prefix, key], ...pathsOf(item, [...prefix, key])]);
  return [];
}

/** Paths of objects (root included): where a key can be added. */
export function objectPathsOf(value: Json, prefix: Path = []): Path[] {
  if (Array.isArray(value)) return value.flatMap((item, index) => objectPathsOf(item, [...prefix, index]));
  if (isObject(value)) return [prefix, ...Object.entries(value).flatMap(([key, item]) => objectPathsOf(item, [...prefix, key]))];
  return [];
}

function containerAt(root: Json, path: Path): Json {
  return path.reduce<Json>((node, segment) => (node as Record<string | number, Json>)[segment], root);
}

/** Own data property, even for `__proto__` (plain assignment would set the prototype instead). */
function defineKey(target: object, key: string, value: Json): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

const REMOVE = Symbol('remove');
type Replacement = Json | typeof REMOVE;

function replaced(root: Json, path: Path, replacement: Replacement): Json {
  const copy = clone(root);
  const parent = containerAt(copy, path.slice(0, -1));
  const last = path[path.length - 1];
  if (Array.isArray(parent) && typeof last === 'number') {
    if (replacement === REMOVE) parent.splice(last, 1);
    else parent[last] = replacement;
  } else if (isObject(parent) && typeof last === 'string') {
    if (replacement === REMOVE) delete parent[last];
    else defineKey(parent, last, replacement);
  }
  return copy;
}

/**
 * Raw JSON text JSON.stringify cannot write (`1e400` parses to Infinity, `1e-400` to 0, a
 * 5,000-deep array): it travels as a marked string and is spliced in after serialization.
 */
const RAW_TOKENS = ['1e400', '-1e400', '1e-400', '-0', '9007199254740993', '1.0', '1E2', '0.1e1', '123456789012345678901234567890'];
const rawMarker = (token: string) => `@@raw:${token}@@`;
const RAW_MARKER = /"@@raw:(?:[^"\\]|\\.)*?@@"/g;
export function serialize(value: Json): string {
  return JSON.stringify(value).replace(RAW_MARKER, (quoted) => (JSON.parse(quoted) as string).slice('@@raw:'.length, -'@@'.length));
}

const numberMutation: fc.Arbitrary<Json> = fc.oneof(
  fc.constantFrom(0, -1, 1.5, 0.5, -0.5, 1e21, 2 ** 31, 2 ** 53, 2 ** 53 + 2, Number.MAX_VALUE, Number.MIN_VALUE, 1441, 1440, 10_001, 20_001, 31, 30, 501),
  fc.constantFrom(...RAW_TOKENS).map(rawMarker),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
);

const overLongString: fc.Arbitrary<string> = fc
  .tuple(fc.constantFrom(2, 65, 129, 257, 2_001, 2_049, 4_097, 20_000, 200_000), fc.constantFrom('x', 'é', '€', '😀', ' ', '\u0301'))
  .map(([length, filler]) => filler.repeat(length));

/** Strings exactly at a limit, in characters of 1 to 4 UTF-8 bytes: valid by the contract, heavy in bytes. */
const boundaryString: fc.Arbitrary<string> = fc
  .tuple(fc.constantFrom(1, 64, 128, 256, 2_000, 2_048, 4_096), fc.constantFrom('x', 'é', '中', '😀'))
  .map(([length, filler]) => filler.repeat(filler.length === 2 ? length / 2 : length));

const wrongType: fc.Arbitrary<Json> = fc.oneof(
  fc.integer(),
  fc.boolean(),
  fc.string({ maxLength: 8 }),
  fc.constant<Json>([]),
  fc.constant<Json>({}),
  fc.array(fc.jsonValue({ maxDepth: 1 }), { maxLength: 3 }) as fc.Arbitrary<Json>,
  fc.dictionary(fc.string({ maxLength: 6 }), fc.jsonValue({ maxDepth: 1 }), { maxKeys: 3 }) as fc.Arbitrary<Json>,
);

/** String-to-string maps (labels, annotations, custom details) with names a store may refuse: empty, blank, huge, unicode. */
const stringMap: fc.Arbitrary<Json> = fc.dictionary(
  fc.oneof(fc.constantFrom('', ' ', '.', '#', '$', 'a.b', 'a#b', '\u0000', 'x'.repeat(256), '中'.repeat(256)), fc.string({ maxLength: 10 }), trickyText),
  fc.oneof(fc.string({ maxLength: 10 }), trickyText, boundaryString),
  { minKeys: 1, maxKeys: 4 },
);

function protoPayload(key: (typeof PROTOTYPE_KEYS)[number]): Json {
  const inner: Json = {};
  if (key === 'constructor') defineKey(inner, 'prototype', { polluted: true });
  else if (key === 'prototype') defineKey(inner, 'polluted', true);
  else {
    defineKey(inner, 'polluted', true);
    defineKey(inner, 'x', 1);
  }
  return inner;
}

/** `{"__proto__":{"polluted":true}}`-style keys added to one object of a valid body (root, labels, parameters, a batch item…). */
export function withPrototypeKeys(valid: Json): fc.Arbitrary<FuzzBody> {
  const objects = objectPathsOf(valid);
  return fc
    .tuple(fc.constantFrom(...objects), fc.subarray([...PROTOTYPE_KEYS], { minLength: 1 }), fc.boolean())
    .map(([path, keys, asString]) => {
      const copy = clone(valid);
      const target = containerAt(copy, path) as object;
      for (const key of keys) {
        // Labels take string values only: a string-valued prototype key keeps the rest of the body valid.
        defineKey(target, key, asString ? 'polluted' : protoPayload(key));
      }
      return textBody(serialize(copy));
    });
}

/** The body with the field at `path` given a value, so a mutation can name "labels", "alerts[0].severity"… */
export type Mutation = { readonly path: string; readonly kind: string };

/**
 * A valid body with one field mutated: wrong type, out-of-range number, over-long or
 * tricky string, null, removed, a limit-sized string, a wrapping array, a prototype key.
 */
export function nearValid(valid: Json): fc.Arbitrary<FuzzBody & { readonly mutation: Mutation }> {
  // Existing fields, and fields no object of the body has: an empty name, an unknown one, an optional one left out.
  const added = objectPathsOf(valid).flatMap((path) => [[...path, ''], [...path, 'unknown_field'], ...(path.length === 0 ? [['name'], ['note'], ['parameters']] : [])]);
  const paths = [...pathsOf(valid), ...added];
  const mutationOf = fc.oneof(
    fc.constant<[string, Replacement]>(['null', null]),
    fc.constant<[string, Replacement]>(['removed', REMOVE]),
    wrongType.map((value): [string, Replacement] => ['wrong type', value]),
    numberMutation.map((value): [string, Replacement] => ['number', value]),
    overLongString.map((value): [string, Replacement] => ['over-long', value]),
    boundaryString.map((value): [string, Replacement] => ['at limit', value]),
    trickyText.map((value): [string, Replacement] => ['unicode', value]),
    fc.constantFrom(...PROTOTYPE_KEYS).map((key): [string, Replacement] => [`${key} value`, protoPayload(key)]),
    fc.tuple(fc.constantFrom(2, 50, 1_000, 5_000), fc.constantFrom(...NESTING_SHAPES)).map(([depth, shape]): [string, Replacement] => ['deep', rawMarker(nestedText(depth, shape))]),
    stringMap.map((value): [string, Replacement] => ['string map', value]),
  );
  return fc.tuple(fc.constantFrom(...paths), mutationOf, fc.boolean()).map(([path, [kind, value], wrap]) => {
    const original = containerAt(valid, path);
    // Sometimes the original value, wrapped or stringified: "30" for 30, ["x"] for "x".
    const replacement: Replacement = wrap && kind === 'wrong type' ? (typeof original === 'string' ? [original] : JSON.stringify(original)) : value;
    return { ...textBody(serialize(replaced(valid, path, replacement))), mutation: { path: path.join('.'), kind } };
  });
}

/**
 * A body at (and just past) the contract's limits: arrays and maps grown to 49, 50, 51, 500,
 * 501, 1,000 or 1,001 entries of 256-character strings (1 to 3 UTF-8 bytes each), strings at
 * their maximum length, numbers at their bounds. Valid ones are heavy in bytes, not in characters.
 */
export function widened(valid: Json): fc.Arbitrary<FuzzBody> {
  const paths = pathsOf(valid);
  if (paths.length === 0) return fc.constant(textBody(serialize(valid)));
  const grownTo = fc.tuple(fc.constantFrom(0, 1, 49, 50, 51, 500, 501, 1_000, 1_001), fc.constantFrom('x', '中', 'é'));
  const bound = fc.constantFrom<Json>(0, 1, 30, 31, 1_440, 1_441, 10_000, 10_001, 20_000, 20_001);
  const atLimit = (value: Json, count: number, filler: string, longest: string, number: Json): Json => {
    // Distinct strings of 256 characters (critical assets, runbook names), or copies of the array's objects (alerts).
    const distinct = (index: number): Json => `${filler.repeat(256 - String(index).length)}${index}`;
    if (Array.isArray(value)) return Array.from({ length: count }, (_, index) => (value.length > 0 && typeof value[0] === 'object' ? clone(value[index % value.length]) : distinct(index)));
    if (isObject(value)) return Object.fromEntries(Array.from({ length: count }, (_, index) => [`${filler.repeat(200)}${index}`, filler.repeat(256)]));
    return typeof value === 'number' ? number : longest;
  };
  // One field at a limit, or every list and map of the body grown at once (the heaviest valid body).
  const one = fc.tuple(fc.constantFrom(...paths), grownTo, boundaryString, bound).map(([path, [count, filler], longest, number]) =>
    textBody(serialize(replaced(valid, path, atLimit(containerAt(valid, path), count, filler, longest, number)))),
  );
  // Lists and maps of scalars (labels, critical assets, scopes): growing arrays of objects too would multiply sizes.
  const isLeafContainer = (value: Json) => typeof value === 'object' && value !== null && Object.values(value).every((item) => typeof item !== 'object' || item === null);
  const containers = paths.filter((path) => isLeafContainer(containerAt(valid, path)));
  const every = fc.tuple(fc.constantFrom(50, 51, 500, 501, 1_000, 1_001), fc.constantFrom('x', '中', 'é')).map(([count, filler]) =>
    textBody(serialize(containers.reduce((body, path) => replaced(body, path, atLimit(containerAt(body, path), count, filler, '', 0)), valid))),
  );
  return containers.length ? fc.oneof(one, every) : one;
}

// ---------------------------------------------------------------------------------------
// Headers.

/** The content type a case is sent with; null: no content-type header at all. */
export const contentType: fc.Arbitrary<string | null> = fc.constantFrom(
  'application/json',
  'application/json; charset=utf-8',
  'application/json; charset=latin1',
  'APPLICATION/JSON',
  'application/vnd.api+json',
  'text/plain',
  'text/plain; charset=UTF-8',
  'text/json',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/xml',
  'application/json-patch',
  '*/*',
  ';',
  '',
  ' application/json ',
  'application/json;;;',
  null,
);

const RESERVED_HEADERS = new Set(['content-type', 'x-api-key', 'authorization']);

/** Junk headers: random names and values, plus ones the API reads (delivery id, signing headers) with junk values. */
export const headerJunk: fc.Arbitrary<Record<string, string>> = fc
  .tuple(
    fc.dictionary(
      fc.string({ minLength: 1, maxLength: 20 }).filter((name) => !RESERVED_HEADERS.has(name.toLowerCase())),
      fc.oneof(fc.string({ maxLength: 30 }), trickyText),
      { maxKeys: 5 },
    ),
    fc.record(
      {
        'X-Delivery-ID': fc.oneof(fc.string({ maxLength: 140 }), fc.constantFrom('', 'x'.repeat(128), 'x'.repeat(129), '😀'.repeat(64), '😀'.repeat(65), 'fuzz-delivery')),
        'X-Timestamp': fc.oneof(fc.string({ maxLength: 12 }), fc.integer().map(String)),
        'X-Signature': fc.oneof(fc.string({ maxLength: 20 }), fc.constant('sha256=00')),
        'Content-Length': fc.oneof(fc.nat().map(String), fc.constant('-1')),
        'Content-Encoding': fc.constantFrom('gzip', 'br', 'identity', 'x'),
        'Transfer-Encoding': fc.constantFrom('chunked', 'x'),
      },
      { requiredKeys: [] },
    ),
  )
  .map(([junk, known]) => ({ ...junk, ...known }));
