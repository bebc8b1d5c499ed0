/** Request headers as API Gateway passes them: names in whatever case the sender used. */
export type RequestHeaders = Record<string, string | undefined> | null | undefined;

/** The value of header `name` whatever its case (HTTP header names are case-insensitive), or undefined. */
export function headerValue(headers: RequestHeaders, name: string): string | undefined {
  const wanted = name.toLowerCase();
  return Object.entries(headers ?? {}).find(([key]) => key.toLowerCase() === wanted)?.[1] ?? undefined;
}
