// The order an inspector walks a round's points in (server/inspection/walking-order.ts): from the
// westmost point, each time to the nearest point not yet visited; points without coordinates last,
// in the order given.
import { describe, expect, it } from 'vitest';
import { walkingOrder } from '../../server/inspection/walking-order.ts';

const at = (id: string, lat: number | null, lng: number | null) => ({ id, lat, lng });

describe('walkingOrder', () => {
  it('starts at the westmost point and goes to the nearest each time', () => {
    // On one street west to east, given out of order.
    const points = [at('c', 37.44, 114.52), at('a', 37.44, 114.49), at('d', 37.44, 114.53), at('b', 37.44, 114.5)];
    expect(walkingOrder(points)).toEqual(['a', 'b', 'c', 'd']);
  });

  it('turns back when the nearest point lies behind', () => {
    // From a (west), b is close to the north-east, c far east, and d near a to the south.
    const points = [at('a', 37.44, 114.49), at('c', 37.44, 114.56), at('b', 37.445, 114.495), at('d', 37.437, 114.492)];
    expect(walkingOrder(points)).toEqual(['a', 'd', 'b', 'c']);
  });

  it('measures east–west distance shrunk by latitude (equirectangular)', () => {
    // 0.010° of longitude at 60° N is about 0.005° of latitude: east is nearer than north here.
    const points = [at('start', 60, 10), at('north', 60.007, 10.001), at('east', 60, 10.01)];
    expect(walkingOrder(points)).toEqual(['start', 'east', 'north']);
  });

  it('puts points without coordinates last, in the order given', () => {
    const points = [at('x', null, null), at('b', 37.44, 114.5), at('y', 37.44, null), at('a', 37.44, 114.49)];
    expect(walkingOrder(points)).toEqual(['a', 'b', 'x', 'y']);
  });

  it('keeps the given order for ties and handles none and one', () => {
    expect(walkingOrder([])).toEqual([]);
    expect(walkingOrder([at('only', null, null)])).toEqual(['only']);
    // e1 and e2 stand at the same place: e1, given first, is visited first.
    const points = [at('w', 37.44, 114.4), at('e1', 37.44, 114.5), at('n', 37.6, 114.5), at('e2', 37.44, 114.5)];
    expect(walkingOrder(points)).toEqual(['w', 'e1', 'e2', 'n']);
  });
});
