// What the model sees for a prompt file, plus how to map it back to the file: one module per format (registry.ts).
export { extractPrompt, formatForFileName, formatModuleFor, isPromptFileName, describePromptFormats, registerPromptFormat, supportedExtensions, PROMPT_FORMATS, type PromptFormatModule } from './registry';
export type { ExtractContext, ExtractOptions } from './context';
export { markdownLeadLines, sectionsFromLeadLines, markdownSections, type MarkdownLeadLine } from './markdown';
export { splitFrontMatter, canonicalJson } from './frontMatter';
export { parseJsonWithRanges, detectFlavour } from './json';
export { renderTemplate } from './template';
export { diskReader, IncludeResolver, MAX_INCLUDE_DEPTH } from './includes';
export { VARS_SIDECAR_SUFFIXES } from './vars';
export { requestKeyChange } from './requestKeys';
export { walkPromptFiles } from './walk';
import { supportedExtensions } from './registry';

/** File-name endings the formats claim (`.prompt.md`, `.j2`, …), for UIs (file associations) and docs. */
export const SUPPORTED_EXTENSIONS: readonly string[] = supportedExtensions();
