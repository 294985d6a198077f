/**
 * The handlers a filesystem implements (the interface is generated from the
 * operations' declarations in scripts/codegen/operations.mjs).
 * @module
 */
export type { HandlerResult, OperationName, Operations } from './generated/operations.js';
