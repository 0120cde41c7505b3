// Every log importer, in the order ties are broken. Adding a format: write importers/<name>.ts exporting a LogImporter,
// list it here (AGENTS.md, "Add a log importer").
import type { LogImporter } from '../importer';
import { claudeCodeImporter } from './claudeCode';

export const IMPORTERS: readonly LogImporter[] = [claudeCodeImporter];
