{
  "targets": [
    {
      "target_name": "licorn_native",
      "sources": [
        "server/native/licorn_native.c",
        "server/native/string_arg.c",
        "server/native/pam_jobs.c",
        "server/native/malloc_tuning.c",
        "server/native/peer_credentials.c",
        "server/native/block_watch.c",
        "server/native/block_watch_sources.c",
        "server/native/blkid_probe.c",
        "server/native/loop_backing.c",
        "server/native/device_reads.c",
        "server/native/sysfs_blocks.c",
        "server/native/holder_scan.c",
        "server/native/share_watch.c",
        "server/native/share_watch_thread.c",
        "server/native/share_watch_events.c",
        "server/native/share_watch_scans.c",
        "server/native/share_tree.c",
        "server/native/share_acl.c"
      ],
      "libraries": ["-lcrypt", "-ldl", "-lpthread"],
      "cflags": ["-Wall", "-Wextra", "-O2"]
    }
  ]
}
