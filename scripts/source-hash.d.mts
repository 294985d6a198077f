/** The hash of the native sources (native/*, binding.gyp) under `root`, as 16 hex digits. */
export function sourceHash(root: string): string;
