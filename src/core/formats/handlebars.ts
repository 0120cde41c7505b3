// Handlebars (`.hbs`, `.handlebars`) and Mustache (`.mustache`) templates: rendered with handlebars / mustache.js
// when variables are known (each engine's default HTML escaping of `{{x}}` kept: it is what the model would get),
// else read statically; `{{> partial}}` files are read from disk inside the root.
import type { PromptFormatModule } from './registry';
import { extractTemplate } from './templated';

export const handlebarsFormat: PromptFormatModule = {
  id: 'template-handlebars',
  description: 'Handlebars templates (`.hbs`, `.handlebars`), rendered with handlebars when variables are known',
  fileNames: ['**/*.{hbs,handlebars}'],
  extract: (source, ctx) => extractTemplate(source, 0, { format: 'template-handlebars', dialect: 'handlebars', engine: 'handlebars', extensions: ['.hbs', '.handlebars'], escape: true }, ctx),
};

export const mustacheFormat: PromptFormatModule = {
  id: 'template-handlebars',
  description: 'Mustache templates (`.mustache`), rendered with mustache.js when variables are known',
  fileNames: ['**/*.mustache'],
  extract: (source, ctx) => extractTemplate(source, 0, { format: 'template-handlebars', dialect: 'handlebars', engine: 'mustache', extensions: ['.mustache'], escape: true }, ctx),
};
