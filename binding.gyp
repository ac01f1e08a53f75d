{
  "targets": [
    {
      "target_name": "licorn_native",
      "sources": ["server/native/licorn_native.c"],
      "libraries": ["-lcrypt", "-ldl"],
      "cflags": ["-Wall", "-Wextra", "-O2"]
    }
  ]
}
