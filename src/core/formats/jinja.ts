// Jinja templates (`.j2`, `.jinja`, `.jinja2`): rendered with nunjucks when variables are known, else read
// statically; `{% include %}`, `{% import %}` and `{% extends %}` are read from disk inside the root.
import type { PromptFormatModule } from './registry';
import { extractTemplate } from './templated';

export const JINJA_EXTENSIONS = ['.j2', '.jinja', '.jinja2', '.txt', '.md'] as const;

export const jinjaFormat: PromptFormatModule = {
  id: 'template-jinja',
  description: 'Jinja templates (`.j2`, `.jinja`, `.jinja2`), rendered with nunjucks when variables are known',
  fileNames: ['**/*.{j2,jinja,jinja2}'],
  extract: (source, ctx) => extractTemplate(source, 0, { format: 'template-jinja', dialect: 'jinja', engine: 'nunjucks', extensions: JINJA_EXTENSIONS }, ctx),
};
