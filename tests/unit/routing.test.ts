// Routing v1 on single reports: what a resident or an operator writes, and what the router must
// make of it. The acceptance figures over the whole evaluation set are in routing-eval.test.ts.
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { RoutingSuggestion } from '../../server/routing/suggestion.ts';
import { loadCatalog } from '../../server/catalog/load-catalog.ts';
import type { Catalog } from '../../server/catalog/types.ts';
import { createRouter, type Router, type RoutingInput } from '../../server/routing/router.ts';

const CONTENT = path.resolve(import.meta.dirname, '../../content');

let catalog: Catalog;
let router: Router;
beforeAll(async () => {
  catalog = await loadCatalog(CONTENT);
  router = createRouter(catalog);
});

const route = (input: RoutingInput | string): RoutingSuggestion => router.suggest(typeof input === 'string' ? { text: input } : input);
const lead = (input: RoutingInput | string): string | null => {
  const s = route(input);
  return s.needsTriage ? null : s.unit!.code;
};

describe('the shape of a suggestion', () => {
  it('names category and unit with their Chinese names, and lists cooperating units', () => {
    const s = route('西关集贸市场里面太脏了，地上全是烂菜叶子和污水');
    expect(s).toMatchObject({
      category: { code: 'market.hygiene', name: '市场环境卫生' },
      unit: { code: 'fagaiju', name: '临城县发展和改革局' },
      needsTriage: false,
    });
    expect(s.cooperating.map((u) => u.code)).toEqual(['shichangjianguanju', 'zhujianju', 'xiaofang']);
    expect(s.cooperating[0]!.name).toBe('临城县市场监督管理局');
    expect(s.confidence).toBeGreaterThan(0.6);
    expect(s.confidence).toBeLessThanOrEqual(1);
  });

  it('never names a unit when the report needs triage', () => {
    for (const text of ['', '你好', '楼下邻居家的狗天天晚上叫，吵得我睡不着觉', '我的身份证丢了，去哪补办？']) {
      const s = route(text);
      expect(s.needsTriage).toBe(true);
      expect(s.unit).toBeNull();
      expect(s.cooperating).toEqual([]);
    }
  });
});

describe('what residents write', () => {
  it('routes each focus problem to its lead unit', () => {
    expect(lead('我们小区楼道里堆满了杂物，消防通道都堵了，物业也不管')).toBe('zhujianju');
    expect(lead('菜市场里电线乱拉乱接，灭火器也没有')).toBe('fagaiju');
    expect(lead('胡同里天天有人摆摊卖菜，占道经营，车都过不去')).toBe('zhujianju');
    expect(lead('饭店门口天天往路上泼泔水，门前五包根本不落实')).toBe('zhujianju');
    expect(lead('路口的电动车闯红灯、逆行太多了')).toBe('jiaojing');
    expect(lead('人行道上停满了小汽车，盲道都被占了')).toBe('jiaojing');
    expect(lead('共享单车乱停乱放，把人行道都堵死了')).toBe('zhujianju');
    expect(lead('志愿服务站一直锁着门，志愿者活动都是拍个照就走')).toBe('wenmingban');
    expect(lead('广场上的公益广告牌被风刮坏了，画面也褪色了')).toBe('wenmingban');
  });

  it('splits disorderly parking by vehicle: motor vehicles to the traffic police, bikes to the housing bureau', () => {
    const cars = route('银行门口总有小汽车违停，占着人行道');
    expect(cars.unit?.code).toBe('jiaojing');
    expect(cars.cooperating.map((u) => u.code)).toEqual(['zhujianju']);
    const bikes = route('超市门口的电动车停得乱七八糟，人都进不去');
    expect(bikes.unit?.code).toBe('zhujianju');
    expect(bikes.category?.code).toBe('parking.non-motor');
    expect(bikes.cooperating.map((u) => u.code)).toEqual(['jiaojing']);
  });

  it('does not take pedestrians pushed into the motor lane for parked cars', () => {
    // Rubbish on the pavement: no parking problem, and no focus problem it plainly belongs to.
    expect(lead('人民路北段人行道上堆满了建筑垃圾，行人只能走机动车道，很危险。')).toBeNull();
    // Cars on the pavement still go to the traffic police, whatever the pedestrians then do.
    expect(lead('人行道上停满了汽车，行人只能走到机动车道上')).toBe('jiaojing');
  });

  it('strips hotline boilerplate ("来电人反映：", "市民来电称") without changing the outcome', () => {
    const plain = route('东关农贸市场内消防通道被摊位占用，灭火器缺失');
    const operator = route('来电人反映：东关农贸市场内消防通道被摊位占用，灭火器缺失，存在安全隐患，请相关部门处理。');
    expect(operator.unit?.code).toBe('fagaiju');
    expect(operator.category?.code).toBe(plain.category?.code);
    expect(lead('市民来电称：建设街东侧的幸福里小区化粪池堵塞，污水漫到楼前路面，物业推诿不处理。')).toBe('zhujianju');
  });

  it('reads through homophone typos', () => {
    expect(lead('小取里的路登坏了好久了，物叶不管')).toBe('zhujianju');
    expect(lead('小区里有人乱仍拉圾，绿化带里全是塑料袋')).toBe('zhujianju');
    expect(lead('路口好多人创红灯，一点规矩都没有')).toBe('jiaojing');
    expect(lead('路口的斑马先都磨没了，看不出来在哪过马路')).toBe('jiaojing');
    expect(lead('公义广告牌子倒在地上好几天了没人扶')).toBe('wenmingban');
    expect(lead('背接小巷里的拉圾堆了好久了')).toBe('zhujianju');
    expect(lead('志原者活动组织得乱七八糟，去了以后没人管')).toBe('wenmingban');
  });

  it('reads through homophones of voice input and pinyin typing, by sound', () => {
    // None of these spellings is listed anywhere: the homophone groups of the lexicon find them.
    expect(lead('将尸车在小区外面的路边停了一年多了轮胎都瘪了')).toBe('jiaojing');
    expect(lead('马路是场早上六点就开始摆一直到九点车根本过不去')).toBe('zhujianju');
    expect(route('电动扯在人行到上乱挺一大片盲道都看不见了')).toMatchObject({
      unit: { code: 'zhujianju' },
      category: { code: 'parking.non-motor' },
    });
    const ad = router.explain({ text: '公义广高牌被风刮倒了' });
    expect(ad.matched).toContainEqual({ phrase: '公益广告牌', factor: catalog.lexicon!.fuzzy.factor });
    expect(ad.suggestion.unit?.code).toBe('wenmingban');
  });

  it('does not take a real word of the same sound for a typo', () => {
    // 买菜的 (shoppers) sounds like 卖菜的 (vendors) without tones.
    const shoppers = router.explain({ text: '农贸市场里摆摊的都往外挤，通道就剩一条缝，买菜的人跟挤公交似的' });
    expect(shoppers.matched.map((m) => m.phrase)).not.toContain('卖菜的');
    expect(shoppers.suggestion.unit?.code).toBe('fagaiju');
  });

  it('reads traditional characters, full-width digits and emoji like the plain text', () => {
    expect(lead('小區裡的垃圾桶滿了好幾天都沒人清，臭氣熏天')).toBe('zhujianju');
    expect(lead('路口的電動車闖紅燈太多了，早晚高峰特別嚴重')).toBe('jiaojing');
    expect(lead('誌願者活動太形式化了，拍完照就走人')).toBe('wenmingban');
    expect(lead('盛世华庭６号楼２单元的楼道，堆满了废纸箱子和破沙发，上下楼得侧着身子')).toBe('zhujianju');
    expect(lead('西关集上卖肉的那一溜儿，地上血汤子流得到处都是，苍蝇一片一片的😖')).toBe('fagaiju');
  });

  it('does not count a violation the resident denies or sets aside', () => {
    expect(lead('我在路口被交警拦下罚了两百，我觉得我没闯红灯，想申诉')).toBeNull();
    expect(route('不是说电动车，是那些小汽车，天天停在盲道上，盲人怎么走')).toMatchObject({
      unit: { code: 'jiaojing' },
      category: { code: 'parking.motor' },
    });
  });

  it('triages disputes over money, contracts and claims that share words with focus problems', () => {
    for (const text of [
      '来电人反映：所在小区物业费从每平米八毛涨到一块二，没有开业主大会，认为涨价不合理',
      '我在西关市场里租了个摊位卖菜，市场管理方今年突然把摊位费涨了一倍，合同上写的是三年不变',
      '上周六在中兴大街和建设路路口，我骑电动车被一辆右转的货车刮倒了，对方负主要责任，但是保险公司到现在都不赔',
      '我们公司做户外广告的，跟县里签了人民广场那几块广告牌的合同，现在说要收回改成公益广告，合同还没到期，损失谁赔？',
      '共享单车押金退不回来，客服打不通',
      '志愿者协会让我们交会费，一年两百，这合理吗',
    ]) {
      expect(route(text), text).toMatchObject({ needsTriage: true, unit: null });
    }
  });

  it('does not take an ordinary word for a typo', () => {
    // "等红灯" is one substitution away from "闯红灯", "有机动车" from "非机动车".
    const waiting = router.explain({ text: '我在路口等红灯' });
    expect(waiting.matched.map((m) => m.phrase)).not.toContain('闯红灯');
    const cars = router.explain({ text: '路边有机动车违规停放' });
    expect(cars.suggestion.unit?.code).toBe('jiaojing');
    expect(cars.matched.map((m) => m.phrase)).not.toContain('非机动车');
  });

  it('sends compounds of the built-up area to the housing bureau and village compounds to Lincheng Town', () => {
    expect(lead('锦绣家园小区的垃圾桶好几天没人清了')).toBe('zhujianju');
    expect(lead('临城镇东街村新民居小区里的垃圾没人清理，村里说没钱雇人')).toBe('linchengzhen');
    expect(lead('俺们村那个新农村小区，健身器材都坏了，没人修')).toBe('linchengzhen');
    expect(lead('俺庄上盖的那几栋楼房，楼道里的灯全坏了，找支书也不管')).toBe('linchengzhen');
    expect(lead({ text: '小区里的垃圾箱坏了，垃圾撒了一地', pointId: 'compound-dongjie-village' })).toBe('linchengzhen');
    expect(lead({ text: '小区里的垃圾箱坏了，垃圾撒了一地', pointId: 'compound-jinxiu' })).toBe('zhujianju');
    expect(lead({ text: '小区里的路灯坏了好久了', location: { address: '临城镇南台村幸福小区' } })).toBe('linchengzhen');
    // Coordinates next to a village compound point (within the lexicon's radius).
    expect(lead({ text: '小区里的路灯坏了好久了', location: { lat: 37.4302, lng: 114.502 } })).toBe('linchengzhen');
    expect(lead({ text: '小区里的路灯坏了好久了', location: { lat: 37.4418, lng: 114.5003 } })).toBe('zhujianju');
  });

  it('finds the problem in a long report full of unrelated details', () => {
    const text =
      '领导您好，我是个退休老师，今年六十八了。今天早上我先去医院拿了药，排队排了一个多小时，然后去银行取了退休金，' +
      '中午回家给孙子做饭。孙子今年上初三，学习挺紧张的。说这么多是想说，我每天下午都去西关市场买菜，那个市场里面现在太脏了，' +
      '地上全是烂菜叶子，卖鱼的污水直接往地上倒，苍蝇乱飞，卫生实在是太差了。希望领导派人管一管。另外我们家的暖气也不太热，这个就不说了。';
    expect(text.length).toBeGreaterThan(150);
    const s = route(text);
    expect(s.unit?.code).toBe('fagaiju');
    expect(s.category?.code).toBe('market.hygiene');
  });

  it('sends reports outside every focus problem to triage', () => {
    for (const text of [
      '楼下邻居家的狗天天晚上叫，叫到半夜，吵得我睡不着觉',
      '包工头一直拖欠工资不给，过年都回不了家',
      '新农合报销比例太低了，住院花了两万只报了一半',
      '今年的暖气费又涨了，暖气还不热',
      '我的身份证丢了，去哪补办？',
      '中兴大街上的路灯坏了好几盏，晚上开车看不清',
      '税务局多扣了我的税，我想申请退税',
      '小区的暖气一点都不热，交了暖气费跟没交一样',
      '我的车被拖走了，说是违停，可那里根本没有禁停标志，罚款不合理，我要申诉',
    ]) {
      expect(route(text), text).toMatchObject({ needsTriage: true, unit: null });
    }
  });

  it('triages empty, blank and very short text', () => {
    for (const text of ['', '   ', '？', '111', '有问题', '你好']) {
      expect(route(text)).toEqual({ category: null, unit: null, cooperating: [], confidence: 0, needsTriage: true });
    }
  });

  it('keeps the best guess of category when it triages for lack of confidence', () => {
    // Parking of motor and non-motor vehicles at once: two lead units compete.
    const s = route('农贸市场里面乱停电动车三轮车，过道堵死了');
    expect(s.needsTriage).toBe(true);
    expect(s.unit).toBeNull();
    expect(s.category).not.toBeNull();
  });
});

describe('what the form adds', () => {
  it('trusts a category the resident chose, with high confidence', () => {
    const s = route({ text: '晚上黑乎乎的', category: 'frontage.lighting' });
    expect(s).toMatchObject({ category: { code: 'frontage.lighting' }, unit: { code: 'zhujianju' }, needsTriage: false });
    expect(s.confidence).toBeGreaterThan(0.8);
    expect(lead({ text: '', category: 'intersection' })).toBe('jiaojing');
    expect(route({ text: '门口天天停满车', category: 'parking.non-motor' }).unit?.code).toBe('zhujianju');
  });

  it('lets the text overrule a chosen category when it clearly says otherwise', () => {
    const s = route({
      text: '路口的电动车闯红灯、逆行，行人闯红灯，机动车不礼让行人，斑马线上天天差点撞人',
      category: 'psa.damaged',
    });
    expect(s.unit?.code).not.toBe('wenmingban');
  });

  it('triages a report whose resident chose "other"', () => {
    expect(route({ text: '我家的狗丢了，黄色的土狗', category: 'other' })).toMatchObject({
      category: { code: 'other' },
      unit: null,
      needsTriage: true,
    });
  });

  it('reads a market point as the market category', () => {
    const s = route({ text: '里面太乱了，地上全是水', pointId: 'market-xiguan' });
    expect(s.unit?.code).toBe('fagaiju');
    expect(s.category?.code.startsWith('market')).toBe(true);
  });

  it('adds the unit responsible for an ad point as cooperating unit of a public-service ad', () => {
    const s = route({ text: '广告牌坏了', pointId: 'psa-renmin-square' });
    expect(s.unit?.code).toBe('wenmingban');
    expect(s.cooperating.map((u) => u.code)).toEqual(['wenguanglvju']);
    expect(route({ text: '公益广告牌坏了，画面破了' }).cooperating).toEqual([]);
  });

  it('ignores an unknown point or category instead of failing', () => {
    expect(lead({ text: '菜市场里卫生太差，到处是垃圾', pointId: 'nowhere', category: 'nothing' })).toBe('fagaiju');
  });
});

describe('the threshold', () => {
  it('is the lexicon default unless the caller sets one', () => {
    const text = '菜市场门口有垃圾';
    const s = route(text);
    expect(createRouter(catalog, { threshold: 0 }).suggest({ text }).needsTriage).toBe(false);
    expect(createRouter(catalog, { threshold: 1 }).suggest({ text }).needsTriage).toBe(true);
    expect(s.needsTriage).toBe(s.confidence < catalog.lexicon!.threshold);
  });
});

describe('routing is data', () => {
  it('follows an edited rule and an added keyword after a reload', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'routing-'));
    try {
      await cp(CONTENT, dir, { recursive: true });
      const rulesFile = path.join(dir, 'routing-rules.json');
      const rules = JSON.parse(await readFile(rulesFile, 'utf8'));
      const market = rules.rules.find((r: { category: string }) => r.category === 'market');
      market.lead = 'shichangjianguanju';
      market.cooperating = ['fagaiju'];
      await writeFile(rulesFile, JSON.stringify(rules));
      const keywordsFile = path.join(dir, 'routing-keywords.json');
      const keywords = JSON.parse(await readFile(keywordsFile, 'utf8'));
      keywords.categories['psa'].terms['宣传电子屏'] = 5;
      await writeFile(keywordsFile, JSON.stringify(keywords));

      const edited = createRouter(await loadCatalog(dir));
      expect(edited.suggest({ text: '菜市场里电线乱拉乱接，灭火器也没有' }).unit?.code).toBe('shichangjianguanju');
      expect(route('街口的宣传电子屏黑屏好几天了').needsTriage).toBe(true);
      expect(edited.suggest({ text: '街口的宣传电子屏黑屏好几天了' }).unit?.code).toBe('wenmingban');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('without a lexicon routes only what the form states', () => {
    const bare = createRouter({ ...catalog, lexicon: undefined } as Catalog);
    expect(bare.suggest({ text: '菜市场里电线乱拉乱接' }).needsTriage).toBe(true);
    expect(bare.suggest({ text: '', category: 'market.order' }).unit?.code).toBe('fagaiju');
  });
});

describe('speed', () => {
  it('answers a 300-character report in well under a millisecond', () => {
    const text = (
      '我家住在县城北边的盛世华庭，小区的门禁坏了半年，外人随便进出，丢了好几辆电动车了。物业费照收不误。' +
      '今天早上送孩子上学，回来在楼下碰见邻居王大姐，聊了半天她家孙子考大学的事。说正事，我们小区东门那个垃圾池已经半个月没清理了，' +
      '围着一圈苍蝇，附近还有幼儿园，希望尽快处理一下。另外楼道里的声控灯全坏了，晚上上楼只能打手机的手电，老人摔了好几次。' +
      '路口的电动车闯红灯也很多，菜市场门口的垃圾堆成小山，公益广告牌也被风刮坏了，希望领导重视，派人来看看，谢谢领导，辛苦了。' +
      '我们这个小区是二〇〇五年建的老小区，一直没有改造过，下水道三天两头堵，化粪池也满了，一下雨楼前就积水，物业说没有维修基金，' +
      '业主们凑钱也凑不齐，大家都很着急，不知道该找谁。'
    ).slice(0, 300);
    expect(text.length).toBe(300);
    for (let i = 0; i < 200; i++) router.suggest({ text });
    const runs = 2000;
    const start = performance.now();
    for (let i = 0; i < runs; i++) router.suggest({ text });
    const perCall = (performance.now() - start) / runs;
    expect(perCall).toBeLessThan(1);
  });
});

describe('the normaliser', () => {
  it('applies single-character corrections first, then the longest correction at each position, then drops boilerplate', async () => {
    const { createNormaliser } = await import('../../server/routing/normalise.ts');
    const normalise = createNormaliser({ 區: '区', 亂: '乱', 乱仍: '乱扔', 小取: '小区', 小取里: '小区里', 拉圾: '垃圾' }, [
      '来电人反映',
      '来电人',
    ]);
    expect(normalise('来电人反映：小區里有人亂仍拉圾')).toBe('，:小区里有人乱扔垃圾'); // NFKC: full-width colon too
    expect(normalise('小取里ＡＢ１２')).toBe('小区里ab12');
    expect(normalise('没有要改的')).toBe('没有要改的');
  });
});
