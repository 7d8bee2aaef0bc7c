// RFC 3339 date-times as the fleet repo writes them (`expires`). ajv-formats' date-time
// also takes a space for the `T`, an offset without its colon (+0800) and a leap second
// (23:59:60): none of them is RFC 3339's `date-time` production, and the last two are what
// Date.parse reads as NaN, so an expiry written that way would never expire.
const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-](\d{2}):(\d{2}))$/;

/** True when `value` is an RFC 3339 date-time that names one instant JavaScript can read. */
export function isRfc3339DateTime(value: string): boolean {
  const m = RFC3339.exec(value);
  if (!m) return false;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth) return false;
  if (hour > 23 || minute > 59 || second > 59) return false;
  if (m[9] !== undefined && (Number(m[9]) > 23 || Number(m[10]) > 59)) return false;
  return !Number.isNaN(Date.parse(value));
}
