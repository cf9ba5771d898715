// The seed data in content/ and the loader that guards it: the real files load and say what
// DOMAIN.md says; a broken edit stops the start with a message naming file, entry and field.
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CatalogError, loadCatalog } from '../../server/catalog/load-catalog.ts';
import type { Catalog } from '../../server/catalog/types.ts';

const CONTENT = path.resolve(import.meta.dirname, '../../content');

let catalog: Catalog;
beforeAll(async () => {
  catalog = await loadCatalog(CONTENT);
});

describe('the seed catalog', () => {
  it('has one campaign office, which owns the triage queue', () => {
    const offices = catalog.units.filter((u) => u.kind === 'office');
    expect(offices).toHaveLength(1);
    expect(catalog.officeUnitCode).toBe(offices[0]!.code);
    expect(catalog.unit(catalog.officeUnitCode)?.shortName).toBe('县创城办');
  });

  it('names the units of the 2019 text and all eight townships with official names', () => {
    const names = catalog.units.map((u) => u.name);
    for (const name of [
      '临城县住房和城乡建设局',
      '临城县发展和改革局',
      '临城县市场监督管理局',
      '临城县消防救援大队',
      '临城县公安局交通警察大队',
      '中共临城县委精神文明建设委员会办公室',
      '中共临城县直属机关工作委员会',
      '共青团临城县委员会',
      '临城县妇女联合会',
    ]) {
      expect(names).toContain(name);
    }
    const townships = catalog.units.filter((u) => u.kind === 'township').map((u) => u.shortName);
    expect(townships.sort()).toEqual(['东镇镇', '临城镇', '石城乡', '西竖镇', '赵庄乡', '郝庄镇', '鸭鸽营乡', '黑城乡'].sort());
  });

  it('uses placeholder mailboxes only', () => {
    for (const email of catalog.units.flatMap((u) => u.emails)) expect(email).toMatch(/@lincheng\.example\.cn$/);
  });

  it('has the eight focus problems as top-level categories, plus "other"', () => {
    const tops = catalog.categories.filter((c) => c.parentCode === null);
    expect(tops.map((c) => c.focus).sort()).toEqual([1, 2, 3, 4, 5, 6, 7, 8, null]);
    expect(catalog.category('other')?.focus).toBeNull();
  });

  it('splits the five frontage duties into their own sub-categories', () => {
    const duties = catalog.categories.filter((c) => c.parentCode === 'frontage').map((c) => c.name);
    for (const duty of ['包净化', '包绿化', '包亮化', '包美化', '包秩序']) expect(duties.some((n) => n.includes(duty))).toBe(true);
  });

  it('routes every category in both areas, with village compounds going to Lincheng Town', () => {
    const rule = (category: string, area: 'urban' | 'village') =>
      catalog.rules.find((r) => r.category === category && r.area === area) ??
      catalog.rules.find((r) => r.category === category && r.area === 'any');
    expect(rule('compound', 'urban')?.lead).toBe('zhujianju');
    expect(rule('compound', 'village')?.lead).toBe('linchengzhen');
    expect(rule('market', 'urban')).toMatchObject({ lead: 'fagaiju', cooperating: ['shichangjianguanju', 'zhujianju', 'xiaofang'] });
    expect(rule('parking.motor', 'urban')).toMatchObject({ lead: 'jiaojing', cooperating: ['zhujianju'] });
    expect(rule('parking.non-motor', 'urban')).toMatchObject({ lead: 'zhujianju', cooperating: ['jiaojing'] });
    expect(rule('volunteer', 'urban')).toMatchObject({ lead: 'wenmingban', cooperating: ['xianzhigongwei', 'tuanxianwei', 'fulian'] });
    expect(rule('psa', 'urban')).toMatchObject({ lead: 'wenmingban', pointUnitCooperates: true });
    expect(rule('other', 'urban')?.lead).toBe(catalog.officeUnitCode);
  });

  it('has 10–20 example points, each with a known type, a known unit and a responsible person', () => {
    expect(catalog.points.length).toBeGreaterThanOrEqual(10);
    expect(catalog.points.length).toBeLessThanOrEqual(20);
    for (const p of catalog.points) {
      expect(catalog.pointTypes.some((t) => t.code === p.typeCode)).toBe(true);
      expect(catalog.unit(p.unitCode)).toBeDefined();
      expect(p.responsiblePerson).toMatch(/某某$/);
    }
    expect(catalog.point('market-xiguan')?.name).toBe('临城县西关集贸市场');
    expect(catalog.points.some((p) => p.area === 'village' && p.typeCode === 'village-compound')).toBe(true);
  });

  it('looks up by code and answers undefined for an unknown one', () => {
    expect(catalog.unit('zhujianju')?.shortName).toBe('县住建局');
    expect(catalog.category('frontage.lighting')?.parentCode).toBe('frontage');
    expect(catalog.unit('nope')).toBeUndefined();
    expect(catalog.point('nope')).toBeUndefined();
    expect(catalog.defaultDeadlineDays).toBe(7);
    expect(catalog.lexicon?.threshold).toBeGreaterThan(0);
  });
});

describe('the inspection checklists', () => {
  it('give every point type its items, each routed to a category that exists', () => {
    for (const type of catalog.pointTypes) {
      const items = catalog.checklist(type.code);
      expect(items.length, type.code).toBeGreaterThan(0);
      for (const item of items) expect(catalog.category(item.category), `${type.code}.${item.code}`).toBeDefined();
    }
  });

  it('say the standards of INSPECTION-STANDARDS in plain words, with weights defaulting to 1', () => {
    const market = catalog.checklist('market');
    expect(market.find((i) => i.code === 'ground')).toEqual({
      code: 'ground',
      standard: '地面无积存垃圾、无污水，排水沟通畅',
      category: 'market.hygiene',
      weight: 2,
    });
    expect(market.find((i) => i.code === 'bins')?.weight).toBe(1);
    expect(catalog.checklist('intersection').map((i) => i.category)).toContain('intersection.not-yielding');
  });

  it('have nothing for a type that does not exist', () => {
    expect(catalog.checklist('bazaar')).toEqual([]);
  });
});

describe('a broken content folder', () => {
  let dir: string | undefined;
  afterEach(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
    dir = undefined;
  });

  /** Copies content/ to a temporary folder, changes one file (an edit of its data, or raw text), loads it. */
  async function loadEdited(file: string, edit: ((data: any) => unknown) | string): Promise<Catalog> {
    dir = await mkdtemp(path.join(tmpdir(), 'catalog-'));
    await cp(CONTENT, dir, { recursive: true });
    const target = path.join(dir, file);
    if (typeof edit === 'string') {
      await writeFile(target, edit);
    } else {
      const data = JSON.parse(await readFile(target, 'utf8'));
      await writeFile(target, JSON.stringify(edit(data) ?? data));
    }
    return loadCatalog(dir);
  }

  async function failure(file: string, edit: ((data: any) => unknown) | string): Promise<string> {
    try {
      await loadEdited(file, edit);
    } catch (error) {
      expect(error).toBeInstanceOf(CatalogError);
      return (error as Error).message;
    }
    throw new Error('expected loadCatalog to fail');
  }

  it('names the rule and the field when a rule names an unknown unit', async () => {
    const message = await failure('routing-rules.json', (d) => {
      d.rules.find((r: any) => r.category === 'market').lead = 'fagaij';
    });
    expect(message).toContain('routing-rules.json');
    expect(message).toContain('category "market"');
    expect(message).toContain('field "lead"');
    expect(message).toContain('unknown unit "fagaij"');
  });

  it('names the point and the field when a point has an unknown type', async () => {
    const message = await failure('points.json', (d) => {
      d[2].typeCode = 'bazaar';
    });
    expect(message).toMatch(/points\.json: entry #3 \(id "market-haozhuang"\), field "typeCode": unknown point type "bazaar"/);
  });

  it('names a point whose unit is unknown', async () => {
    const message = await failure('points.json', (d) => {
      d[0].unitCode = 'nobody';
    });
    expect(message).toContain('field "unitCode": unknown unit "nobody"');
  });

  it('names the entry and the field of a schema error', async () => {
    const message = await failure('units.json', (d) => {
      d[1].kind = 'bureau';
    });
    expect(message).toMatch(/units\.json: entry #2 \(code "zhujianju"\), field "kind": /);
  });

  it('rejects a misspelt field instead of ignoring it', async () => {
    const message = await failure('routing-rules.json', (d) => {
      const rule = d.rules[0];
      rule.cooperatng = rule.cooperating;
      delete rule.cooperating;
    });
    expect(message).toContain('routing-rules.json: rule #1 (category "compound"');
  });

  it('rejects a duplicate code', async () => {
    const message = await failure('categories.json', (d) => {
      d.push({ ...d[0] });
    });
    expect(message).toContain('duplicate code: "compound"');
  });

  it('rejects a sub-category whose focus differs from its parent', async () => {
    const message = await failure('categories.json', (d) => {
      d.find((c: any) => c.code === 'market.hygiene').focus = 3;
    });
    expect(message).toContain('code "market.hygiene"), field "focus"');
  });

  it('rejects a category no rule routes', async () => {
    const message = await failure('routing-rules.json', (d) => {
      d.rules = d.rules.filter((r: any) => !(r.category === 'compound' && r.area === 'village'));
    });
    expect(message).toContain('no rule routes category "compound" in area "village"');
  });

  it('rejects keywords for an unknown category', async () => {
    const message = await failure('routing-keywords.json', (d) => {
      d.categories['markets'] = { terms: { 菜市场: 3 } };
    });
    expect(message).toContain('routing-keywords.json: field "categories.markets"');
  });

  it('rejects a non-positive weight', async () => {
    const message = await failure('routing-keywords.json', (d) => {
      d.categories['market'].terms['市场卫生'] = 0;
    });
    expect(message).toContain('field "categories.market.terms.市场卫生"');
  });

  it('names the file that is not JSON, and the file that is missing', async () => {
    const bad = await failure('point-types.json', '[{"code": "market", "name": "集贸市场"},]');
    expect(bad).toMatch(/point-types\.json: not valid JSON/);
    dir = await mkdtemp(path.join(tmpdir(), 'catalog-'));
    await expect(loadCatalog(dir)).rejects.toThrow(/units\.json: cannot read the file: file not found/);
  });

  it('requires exactly one office', async () => {
    const message = await failure('units.json', (d) => {
      d[1].kind = 'office';
    });
    expect(message).toContain('exactly one unit must be of kind "office"');
  });
  it('names the type, the item and the field when a checklist item has an unknown category', async () => {
    const message = await failure('inspection-checklists.json', (d) => {
      d.market[1].category = 'market.cleanliness';
    });
    expect(message).toContain(
      'inspection-checklists.json: field "market", item #2 (code "ground"), field "category": unknown category "market.cleanliness"',
    );
  });

  it('rejects a checklist for an unknown point type', async () => {
    const message = await failure('inspection-checklists.json', (d) => {
      d.bazaar = d.market;
    });
    expect(message).toContain('field "bazaar": unknown point type "bazaar"');
  });

  it('rejects a point type without a checklist', async () => {
    const message = await failure('inspection-checklists.json', (d) => {
      delete d['psa-board'];
    });
    expect(message).toContain('no checklist for point type "psa-board"');
  });

  it('rejects an item code used twice in one checklist', async () => {
    const message = await failure('inspection-checklists.json', (d) => {
      d.market.push({ ...d.market[0], standard: '摊位整齐' });
    });
    expect(message).toContain('duplicate code: "stalls"');
  });

  it('rejects an empty standard and a misspelt field', async () => {
    const empty = await failure('inspection-checklists.json', (d) => {
      d.intersection[0].standard = '  ';
    });
    expect(empty).toContain('inspection-checklists.json: field "intersection.0.standard": Too small');
    const misspelt = await failure('inspection-checklists.json', (d) => {
      d.intersection[0].catgory = d.intersection[0].category;
      delete d.intersection[0].category;
    });
    expect(misspelt).toContain('inspection-checklists.json: field "intersection.0.category"');
  });
});
