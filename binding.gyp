{
  "targets": [
    {
      "target_name": "licorn_native",
      "sources": ["server/native/licorn_native.c", "server/native/block_watch.c", "server/native/block_watch_sources.c", "server/native/holder_scan.c"],
      "libraries": ["-lcrypt", "-ldl", "-lpthread"],
      "cflags": ["-Wall", "-Wextra", "-O2"]
    }
  ]
}
