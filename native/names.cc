#include "names.h"

#include <vector>

namespace fl {
namespace {

// The length of the valid UTF-8 sequence at p (at most `left` bytes), or 0.
size_t SequenceLength(const unsigned char* p, size_t left) {
  const unsigned char c = p[0];
  if (c < 0x80) return 1;
  auto cont = [&](size_t i, unsigned char lo = 0x80, unsigned char hi = 0xbf) {
    return i < left && p[i] >= lo && p[i] <= hi;
  };
  if (c >= 0xc2 && c <= 0xdf) return cont(1) ? 2 : 0;
  if (c == 0xe0) return cont(1, 0xa0) && cont(2) ? 3 : 0;
  if ((c >= 0xe1 && c <= 0xec) || c == 0xee || c == 0xef) return cont(1) && cont(2) ? 3 : 0;
  if (c == 0xed) return cont(1, 0x80, 0x9f) && cont(2) ? 3 : 0;  // no UTF-8 encoded surrogates
  if (c == 0xf0) return cont(1, 0x90) && cont(2) && cont(3) ? 4 : 0;
  if (c >= 0xf1 && c <= 0xf3) return cont(1) && cont(2) && cont(3) ? 4 : 0;
  if (c == 0xf4) return cont(1, 0x80, 0x8f) && cont(2) && cont(3) ? 4 : 0;
  return 0;
}

// Decodes the valid sequence of `n` bytes at p into UTF-16 units.
void AppendUtf16(const unsigned char* p, size_t n, std::u16string* out) {
  uint32_t cp;
  switch (n) {
    case 1: cp = p[0]; break;
    case 2: cp = ((p[0] & 0x1fu) << 6) | (p[1] & 0x3fu); break;
    case 3: cp = ((p[0] & 0x0fu) << 12) | ((p[1] & 0x3fu) << 6) | (p[2] & 0x3fu); break;
    default: cp = ((p[0] & 0x07u) << 18) | ((p[1] & 0x3fu) << 12) | ((p[2] & 0x3fu) << 6) | (p[3] & 0x3fu); break;
  }
  if (cp >= 0x10000) {
    cp -= 0x10000;
    out->push_back(static_cast<char16_t>(0xd800 + (cp >> 10)));
    out->push_back(static_cast<char16_t>(0xdc00 + (cp & 0x3ff)));
  } else {
    out->push_back(static_cast<char16_t>(cp));
  }
}

void AppendUtf8(uint32_t cp, std::string* out) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xc0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3f)));
  } else if (cp < 0x10000) {
    out->push_back(static_cast<char>(0xe0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3f)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3f)));
  } else {
    out->push_back(static_cast<char>(0xf0 | (cp >> 18)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3f)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3f)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3f)));
  }
}

}  // namespace

bool IsUtf8(const unsigned char* bytes, size_t length) {
  for (size_t i = 0; i < length;) {
    const size_t n = SequenceLength(bytes + i, length - i);
    if (n == 0) return false;
    i += n;
  }
  return true;
}

napi_value NameValue(napi_env env, const char* bytes, size_t length) {
  const auto* p = reinterpret_cast<const unsigned char*>(bytes);
  napi_value result = nullptr;
  size_t ascii = 0;
  while (ascii < length && p[ascii] < 0x80) ++ascii;
  if (ascii == length) {
    napi_create_string_latin1(env, bytes, length, &result);
  } else if (IsUtf8(p + ascii, length - ascii)) {
    napi_create_string_utf8(env, bytes, length, &result);
  } else {
    std::u16string units;
    units.reserve(length);
    for (size_t i = 0; i < length;) {
      const size_t n = SequenceLength(p + i, length - i);
      if (n == 0) {
        units.push_back(static_cast<char16_t>(0xdc00 + p[i]));
        ++i;
      } else {
        AppendUtf16(p + i, n, &units);
        i += n;
      }
    }
    napi_create_string_utf16(env, units.data(), units.size(), &result);
  }
  return result;
}

bool NameBytes(napi_env env, napi_value value, std::string* out) {
  out->clear();
  napi_valuetype type;
  if (napi_typeof(env, value, &type) != napi_ok) return false;
  if (type != napi_string) {
    bool isTyped = false;
    if (napi_is_typedarray(env, value, &isTyped) != napi_ok || !isTyped) return false;
    napi_typedarray_type arrayType;
    size_t length = 0;
    void* data = nullptr;
    if (napi_get_typedarray_info(env, value, &arrayType, &length, &data, nullptr, nullptr) != napi_ok ||
        arrayType != napi_uint8_array) {
      return false;
    }
    out->assign(static_cast<const char*>(data), length);
    return true;
  }
  size_t units = 0;
  if (napi_get_value_string_utf16(env, value, nullptr, 0, &units) != napi_ok) return false;
  std::u16string s(units, u'\0');
  if (units > 0 && napi_get_value_string_utf16(env, value, s.data(), units + 1, &units) != napi_ok) return false;
  out->reserve(units);
  for (size_t i = 0; i < units; ++i) {
    const uint32_t u = s[i];
    if (u < 0xd800 || u > 0xdfff) {
      AppendUtf8(u, out);
    } else if (u < 0xdc00 && i + 1 < units && s[i + 1] >= 0xdc00 && s[i + 1] <= 0xdfff) {
      AppendUtf8(0x10000 + ((u - 0xd800) << 10) + (s[i + 1] - 0xdc00u), out);
      ++i;
    } else if (u >= 0xdc80 && u <= 0xdcff) {
      out->push_back(static_cast<char>(u - 0xdc00));  // an escaped byte
    } else {
      return false;
    }
  }
  return true;
}

}  // namespace fl
