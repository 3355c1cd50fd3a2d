/**
 * Reads a field the way Go's encoding/json fills a struct: the exact key
 * first, else any key equal to it ignoring case; a missing field is Go's zero
 * value "". So `{"Name":"x"}`, `{"name":"x"}` and `{"NAME":"x"}` all fill Name.
 */
export function goStructField(value: unknown, field: string): unknown {
  if (typeof value !== 'object' || value === null) return '';
  const record = value as Record<string, unknown>;
  if (Object.hasOwn(record, field)) return record[field];
  const key = Object.keys(record).find((candidate) => candidate.toLowerCase() === field.toLowerCase());
  return key === undefined ? '' : record[key];
}
