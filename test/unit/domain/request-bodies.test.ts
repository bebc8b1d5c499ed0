import { alertInputSchema } from '../../../lambdas/shared/domain/alert-input';
import { correlationConfigSchema } from '../../../lambdas/shared/domain/tenant-config';
import { ValidationError } from '../../../lambdas/shared/http/errors';
import { parseOrThrow } from '../../../lambdas/shared/http/validation';

/** Bodies that pass JSON parsing but could never be stored must fail validation, naming the field. */
function refusedFields(run: () => unknown): string[] {
  try {
    run();
  } catch (error) {
    if (error instanceof ValidationError) return (error.details ?? []).map((detail) => detail.field);
    throw error;
  }
  throw new Error('expected a validation error');
}

const alert = { asset_name: 'web-01', signature: 'disk_full', severity: 'critical' };

describe('bodies the table could not hold are refused up front', () => {
  it('refuses a label without a name (DynamoDB refuses empty map keys)', () => {
    expect(refusedFields(() => parseOrThrow(alertInputSchema, { ...alert, labels: { '': 'x' } }))).toEqual(['labels.']);
    expect(refusedFields(() => parseOrThrow(alertInputSchema, { ...alert, labels: { ' ': 'x' } }))).toEqual(['labels. ']);
    expect(parseOrThrow(alertInputSchema, { ...alert, labels: { env: '' } }).labels).toEqual({ env: '' });
  });

  it('refuses critical assets totalling more than 64 KiB, counted in bytes', () => {
    const wide = (count: number, char: string) => Array.from({ length: count }, (_, index) => `${char.repeat(250)}${index}`);
    expect(parseOrThrow(correlationConfigSchema, { critical_assets: wide(200, 'a') }).critical_assets).toHaveLength(200);
    // 200 names of 250 three-byte characters: 50,000 characters but about 150 KB.
    expect(refusedFields(() => parseOrThrow(correlationConfigSchema, { critical_assets: wide(200, '中') }))).toEqual(['critical_assets']);
  });
});
