// File names, symlink targets and xattr names are bytes (anything but NUL, and
// '/' for file names). JavaScript sees them as strings that round-trip those
// bytes exactly: valid UTF-8 decodes as usual, and each byte that is not part
// of a valid UTF-8 sequence becomes the lone surrogate U+DC00 + byte
// (U+DC80..U+DCFF, Python's "surrogateescape", PEP 383). Encoding maps those
// surrogates back to their bytes; any other lone surrogate is not a name.
#pragma once

#include <napi.h>

#include <cstddef>
#include <string>

namespace fl {

// The JS string for `length` bytes at `bytes` (ASCII and valid UTF-8 take the
// engine's fast paths; only names with invalid bytes are escaped).
napi_value NameValue(napi_env env, const char* bytes, size_t length);

// The bytes of a name given as a string (escapes decoded) or a Uint8Array
// (taken as is), appended to `out` after clearing it. False when `value` is
// neither, or a string holds a lone surrogate that is not an escaped byte.
bool NameBytes(napi_env env, napi_value value, std::string* out);

// Whether `length` bytes at `bytes` are valid UTF-8 (exported for tests of the codec).
bool IsUtf8(const unsigned char* bytes, size_t length);

}  // namespace fl
