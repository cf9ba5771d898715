// Contact details shown on every page of the app. One place for the office to change them:
// content/site.json, which the public site (site/) reads too (schema: site/src/site-config.ts).
// The hotline number and mailbox are placeholders until the office confirms the real ones.
import site from '../content/site.json' with { type: 'json' };

export const OFFICE_NAME = site.officeName;
export const OFFICE_SHORT_NAME = site.officeShortName;
/** The app's own name (the reporting pages), not the public site's. */
export const SITE_NAME = '文明创城 市民随手拍';
export const HOTLINE = site.hotline;
export const HOTLINE_HOURS = site.hotlineHours;
export const MAILBOX = site.mailbox;
