import {
  boundedDedupKey,
  boundedLabels,
  boundedMessage,
  firstText,
  labelValueOf,
  toIsoUtc,
  truncate,
} from '../../../lambdas/shared/domain/sources/source-adapter';
import { severityFromWord } from '../../../lambdas/shared/domain/sources/severity-words';

describe('adapter bounds', () => {
  it('truncates without splitting a surrogate pair', () => {
    expect(truncate('ab😀', 3)).toBe('ab');
    expect(truncate('ab😀', 4)).toBe('ab😀');
    expect(truncate('abc', 5)).toBe('abc');
  });

  it('takes the first non-blank text, trimmed and cut to 256', () => {
    expect(firstText(undefined, null, '  ', ' web-01 ', 'web-02')).toBe('web-01');
    expect(firstText(`${'a'.repeat(255)} b`)).toBe('a'.repeat(255));
    expect(firstText(undefined, '')).toBeUndefined();
  });

  it('joins distinct message parts and cuts at 4096', () => {
    expect(boundedMessage('Disk full', undefined, 'Disk full', ' on / ')).toBe('Disk full\non /');
    expect(boundedMessage('x'.repeat(5000))).toHaveLength(4096);
    expect(boundedMessage()).toBe('');
  });

  it('keeps the first 50 labels, the first value of a name, and a label named __proto__', () => {
    const labels = boundedLabels([
      ['__proto__', 'polluted?'],
      ['env', 'prod'],
      ['env', 'staging'],
      ...Array.from({ length: 60 }, (_, i): [string, string] => [`k${i}`, 'v']),
    ]);
    expect(Object.keys(labels)).toHaveLength(50);
    expect(Object.hasOwn(labels, '__proto__')).toBe(true);
    expect(labels.env).toBe('prod');
    expect(Object.getPrototypeOf(labels)).toBe(Object.prototype);
  });

  it('drops labels without a name, which DynamoDB could not store', () => {
    expect(boundedLabels([['', 'x'], ['  ', 'y'], ['env', 'prod']])).toEqual({ env: 'prod' });
  });

  it('hashes, not cuts, a dedup key over 256 characters', () => {
    expect(boundedDedupKey(' abc ')).toBe('abc');
    expect(boundedDedupKey('  ')).toBeUndefined();
    const long = boundedDedupKey('k'.repeat(300));
    expect(long).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(boundedDedupKey('k'.repeat(300))).toBe(long);
    expect(boundedDedupKey(`${'k'.repeat(299)}j`)).not.toBe(long);
  });

  it.each<[string, string | undefined]>([
    ['2024-01-15T10:00:00Z', '2024-01-15T10:00:00.000Z'],
    ['2024-01-15T10:00:00.123456789Z', '2024-01-15T10:00:00.123Z'],
    ['2021-10-12T09:51:03.157076+02:00', '2021-10-12T07:51:03.157Z'],
    ['2015-06-03T17:43:27.123+0000', '2015-06-03T17:43:27.123Z'],
    ['0001-01-01T00:00:00Z', '0001-01-01T00:00:00.000Z'],
    ['2024-01-15', undefined],
    ['January 15, 2024', undefined],
    ['2024-13-45T10:00:00Z', undefined],
  ])('normalises the date-time %p to %p', (input, iso) => {
    expect(toIsoUtc(input)).toBe(iso);
  });

  it.each<[unknown, string]>([
    ['text', 'text'],
    [0.75, '0.75'],
    [true, 'true'],
    [null, 'null'],
    [{ a: [1] }, '{"a":[1]}'],
  ])('writes the label value %p as %p', (value, text) => {
    expect(labelValueOf(value)).toBe(text);
  });
});

describe('severityFromWord', () => {
  it.each([
    ['P1', 'critical'],
    ['err', 'high'],
    ['debug', 'info'],
    ['CRITICAL', 'critical'],
    ['unknown', undefined],
    ['', undefined],
    [undefined, undefined],
    ['constructor', undefined],
  ])('reads %p as %p', (word, severity) => {
    expect(severityFromWord(word)).toBe(severity);
  });
});
