// Entry point of dist/tokenizer.js: the tokenizer API as a standalone bundle for the benchmark
// (start-up is measured from a fresh process loading this bundle and its prebuilt rank table).
export { getEncoder, getBpeEncoder, ENCODING_NAMES } from '../src/core/encodings';
export { IncrementalTokenizer } from '../src/core/tokenizer/incremental';
