// Liquid templates (`.liquid`): rendered with liquidjs when variables are known, else read statically.
import type { PromptFormatModule } from './registry';
import { extractTemplate } from './templated';

export const liquidFormat: PromptFormatModule = {
  id: 'template-liquid',
  description: 'Liquid templates (`.liquid`), rendered with liquidjs when variables are known',
  fileNames: ['**/*.liquid'],
  extract: (source, ctx) => extractTemplate(source, 0, { format: 'template-liquid', dialect: 'liquid', engine: 'liquidjs', extensions: ['.liquid'] }, ctx),
};
