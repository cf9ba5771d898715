// One version of the office's content, checked and built: the catalog (routing, deadlines, points
// …), the persuasion kinds and the scoring rules. Built from the stored texts of the version, with
// the same checks and messages as reading the folder (server/catalog/load-catalog.ts).
import { loadCatalog, type ContentTexts } from '../catalog/load-catalog.ts';
import type { Catalog } from '../catalog/types.ts';
import { loadPersuasionKinds, type PersuasionKind } from '../patrol/persuasion-kinds.ts';
import { loadScoringRules, type ScoringRules } from '../scoring/scoring-rules.ts';

export interface ContentVersion {
  /** content_versions.id; 0 for content read straight from a folder. */
  id: number;
  hash: string;
  catalog: Catalog;
  persuasionKinds: readonly PersuasionKind[];
  scoringRules: ScoringRules;
}

/**
 * Checks and builds one version from its files' texts; `dir` names the files in messages.
 * Throws (CatalogError or Error) naming the file, the entry and the field when one is wrong.
 */
export async function buildContentVersion(dir: string, texts: ContentTexts, mark: { id: number; hash: string }): Promise<ContentVersion> {
  const catalog = await loadCatalog(dir, texts);
  const persuasionKinds = await loadPersuasionKinds(dir, texts);
  const scoringRules = await loadScoringRules(dir, texts);
  return { id: mark.id, hash: mark.hash, catalog, persuasionKinds, scoringRules };
}
