{
  "variables": {
    "static_libfuse%": 0
  },
  "targets": [
    {
      "target_name": "fuse_lowlevel",
      "sources": [
        "native/addon.cc",
        "native/dispatch.cc",
        "native/event_loop_reader.cc",
        "native/log.cc",
        "native/names.cc",
        "native/notifier.cc",
        "native/notify.cc",
        "native/ops.cc",
        "native/request.cc",
        "native/request_table.cc",
        "native/session.cc"
      ],
      "include_dirs": [
        "<!@(node -p \"require('node-addon-api').include_dir\")",
        "<!@(pkg-config --cflags-only-I fuse3 | sed 's/-I//g')"
      ],
      "conditions": [
        ["static_libfuse==1", {
          "libraries": ["<!(pkg-config --variable=libdir fuse3)/libfuse3.a", "-lpthread", "-ldl", "-lrt"],
          "ldflags": ["-static-libstdc++", "-Wl,--gc-sections", "-Wl,--version-script=<(module_root_dir)/native/libfuse-static.ver"]
        }, {
          "libraries": ["<!@(pkg-config --libs fuse3)"]
        }]
      ],
      "defines": [
        "FUSE_USE_VERSION=314",
        "NAPI_VERSION=8",
        "NODE_API_SWALLOW_UNTHROWABLE_EXCEPTIONS",
        "FUSE_LOWLEVEL_SOURCE_HASH=\"<!(node scripts/source-hash.mjs)\"",
        "NAPI_CPP_EXCEPTIONS"
      ],
      "cflags!": ["-fno-exceptions"],
      "cflags_cc!": ["-fno-exceptions", "-std=gnu++14", "-std=gnu++17"],
      "cflags_cc": ["-std=c++17", "-fexceptions", "-Wall", "-Wextra", "-Wno-missing-field-initializers"]
    }
  ]
}
