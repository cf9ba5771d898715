// The order an inspector walks a round's points in: a nearest-neighbour walk over the points'
// coordinates, starting at the westmost point, so the phone lists them as one walk through the
// county rather than in catalog order. Points without coordinates cannot be placed on the walk
// and come last, in the order given (catalog order). Pure, so it is unit-tested on its own.

export interface Placed {
  id: string;
  lat: number | null;
  lng: number | null;
}

/** Squared equirectangular distance: good enough to compare distances within a county. */
function distance2(a: { lat: number; lng: number }, b: { lat: number; lng: number }): number {
  const x = (b.lng - a.lng) * Math.cos((((a.lat + b.lat) / 2) * Math.PI) / 180);
  const y = b.lat - a.lat;
  return x * x + y * y;
}

/** The points' ids in walking order; ties go to the point given first. */
export function walkingOrder(points: readonly Placed[]): string[] {
  const located = points.flatMap((p) => (p.lat !== null && p.lng !== null ? [{ id: p.id, lat: p.lat, lng: p.lng }] : []));
  const unlocated = points.filter((p) => p.lat === null || p.lng === null).map((p) => p.id);
  const order: string[] = [];
  let remaining = located;
  let here = located.reduce<(typeof located)[number] | undefined>((west, p) => (!west || p.lng < west.lng ? p : west), undefined);
  while (here) {
    const at = here;
    order.push(at.id);
    remaining = remaining.filter((p) => p !== at);
    here = remaining.reduce<(typeof located)[number] | undefined>(
      (best, p) => (!best || distance2(at, p) < distance2(at, best) ? p : best),
      undefined,
    );
  }
  return [...order, ...unlocated];
}
