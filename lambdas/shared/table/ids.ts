/** Alert, incident and execution ids are ULIDs: anything else cannot name an item, so it is a 404 before any read. */
const ULID_PATTERN = /^[0-9A-HJKMNP-TV-Z]{26}$/;

export function isUlid(value: string): boolean {
  return ULID_PATTERN.test(value);
}
