// The template engines and POML's XML parser (~1.3 MB of JavaScript): a bundle of its own (dist/core-engines.js,
// scripts/build.mjs), required on first use through src/core/lazy.ts, so start-up never parses them.
export { default as Handlebars } from 'handlebars';
export { default as Mustache } from 'mustache';
export { default as nunjucks } from 'nunjucks';
export { Liquid } from 'liquidjs';
export { Dotprompt } from 'dotprompt';
export { parseDocument } from 'htmlparser2';
