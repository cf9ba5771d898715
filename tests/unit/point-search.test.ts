// The hotline's point search ranks what the operator typed: names before addresses, and within
// each the whole name, then a beginning, then anywhere (issue 12, item 5). The seed points are the
// real case ("建设路"); made-up points pin down each step of the order.
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadCatalog } from '../../server/catalog/load-catalog.ts';
import type { Catalog } from '../../server/catalog/types.ts';
import { searchPoints } from '../../server/hotline/point-search.ts';

const point = (id: string, name: string, address: string) => ({ id, name, address });
const names = (found: Array<{ name: string }>) => found.map((p) => p.name);

let catalog: Catalog;
beforeAll(async () => {
  catalog = await loadCatalog(path.resolve(import.meta.dirname, '../../content'));
});

describe('point search on the seed points', () => {
  it('puts 建设路商业街 first for 建设路, and the points only on that road after those named for it', () => {
    const found = names(searchPoints(catalog.points, '建设路', 8));
    expect(found[0]).toBe('建设路商业街');
    expect(found[1]).toBe('中兴大街与建设路交叉口');
    expect(found.slice(2).sort()).toEqual(['临城县东关农贸市场', '锦绣家园小区'].sort());
  });

  it('finds a point by part of its name, by its address and by its id', () => {
    expect(names(searchPoints(catalog.points, '东关', 8))[0]).toBe('临城县东关农贸市场');
    expect(names(searchPoints(catalog.points, '泜河南路', 8))).toEqual(['泜河花园小区']);
    expect(names(searchPoints(catalog.points, 'market-xiguan', 8))).toEqual(['临城县西关集贸市场']);
  });

  it('needs every word somewhere, and ranks by the weakest word', () => {
    expect(names(searchPoints(catalog.points, '市场 建设路', 8))).toEqual(['临城县东关农贸市场']);
    expect(searchPoints(catalog.points, '建设路 公园', 8)).toEqual([]);
    expect(searchPoints(catalog.points, '   ', 8)).toEqual([]);
  });
});

describe('point search order', () => {
  const points = [
    point('a', '老街菜场', '人民路12号'),
    point('b', '人民路口公益广告牌', '人民路与府前街交叉口'),
    point('c', '新华书店门前', '人民路8号'),
    point('d', '人民路', '人民路全段'),
    point('e', '府前街与人民路交叉口', '府前街'),
    point('f', '人民路小学', '学府街1号'),
    point('g', '县医院', '东环路3号'),
  ];

  it('the whole name, a name beginning with it (shorter first), a name holding it, then addresses', () => {
    expect(names(searchPoints(points, '人民路', 10))).toEqual([
      '人民路',
      '人民路小学',
      '人民路口公益广告牌',
      '府前街与人民路交叉口',
      '新华书店门前',
      '老街菜场',
    ]);
  });

  it('an address that begins with the words comes before one that only holds them', () => {
    expect(names(searchPoints([point('x', '甲', '东街道口'), point('y', '乙', '道口东')], '道口', 10))).toEqual(['乙', '甲']);
  });

  it('stops at the limit, after ranking', () => {
    expect(names(searchPoints(points, '人民路', 2))).toEqual(['人民路', '人民路小学']);
  });
});
