// The site's identity and contacts as the app's pages show them (header, footer, privacy notice,
// hotline hints). One place for the office to change them: content/site.json, which the public
// site (site/) reads too, validated (site/src/site-config.ts). The app takes the copy it was built
// with: after editing site.json, rebuild (`npm run build`) and restart.
import site from '../content/site.json' with { type: 'json' };

export const SITE = site;
export const OFFICE_SHORT_NAME = site.officeShortName;
export const HOTLINE = site.hotline;
export const MAILBOX = site.mailbox;
