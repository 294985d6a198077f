/**
 * The CommonJS entry: the same module as the ESM entry (one copy of every
 * class), loaded through require(esm) (Node.js 20.19+).
 * @module
 */
import lib = require('./index.js');

export = lib;
