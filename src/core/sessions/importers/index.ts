// Every log importer, in the order ties are broken. Adding a format: write importers/<name>.ts exporting a LogImporter,
// list it here (AGENTS.md, "Add a log importer").
import type { LogImporter } from '../importer';
import { claudeCodeImporter } from './claudeCode';
import { codexImporter } from './codex';
import { copilotChatImporter } from './copilotChat';
import { geminiCliImporter } from './geminiCli';
import { harImporter } from './har';
import { otlpImporter } from './otlp';
import { requestLogImporter } from './requestLog';

export const IMPORTERS: readonly LogImporter[] = [claudeCodeImporter, codexImporter, harImporter, otlpImporter, copilotChatImporter, geminiCliImporter, requestLogImporter];
