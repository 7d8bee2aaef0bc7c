// GitHub's list pagination: `per_page` (default 30, at most 100) and `page` (from 1),
// with a Link header naming the next/last/first/prev pages as absolute URLs that keep
// every other query parameter, e.g.
//   <https://api.github.com/repositories/1/issues?per_page=2&page=2>; rel="next", <…&page=5>; rel="last"
export interface Page<T> {
  readonly items: readonly T[];
  readonly link: string | undefined;
}

export function paginate<T>({ items, url }: { readonly items: readonly T[]; readonly url: URL }): Page<T> {
  const perPage = clamp(Number(url.searchParams.get('per_page') ?? 30), 1, 100);
  const page = Math.max(1, Math.floor(Number(url.searchParams.get('page') ?? 1)) || 1);
  const last = Math.max(1, Math.ceil(items.length / perPage));
  const slice = items.slice((page - 1) * perPage, page * perPage);
  const at = (n: number): string => {
    const target = new URL(url);
    target.searchParams.set('page', String(n));
    return `<${target.toString()}>`;
  };
  const rels: string[] = [];
  if (page > 1) rels.push(`${at(Math.min(page - 1, last))}; rel="prev"`);
  if (page < last) rels.push(`${at(page + 1)}; rel="next"`, `${at(last)}; rel="last"`);
  if (page > 1) rels.push(`${at(1)}; rel="first"`);
  return { items: slice, link: rels.length > 0 ? rels.join(', ') : undefined };
}

function clamp(value: number, min: number, max: number): number {
  if (!Number.isFinite(value)) return 30;
  return Math.min(max, Math.max(min, Math.floor(value)));
}
