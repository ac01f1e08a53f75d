{
  "targets": [
    {
      "target_name": "licorn_native",
      "sources": ["server/native/licorn_native.c"],
      "libraries": ["-lcrypt", "-lpam"],
      "cflags": ["-Wall", "-Wextra", "-O2"]
    }
  ]
}
