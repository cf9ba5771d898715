// zod as every schema of the portal uses it: messages zod writes itself (type mismatches and
// the like) are Chinese. Import `z` from here, not from 'zod', so that the setting holds in the
// server and in the page bundles alike.
import { z } from 'zod';

z.config(z.locales.zhCN());

export { z };
