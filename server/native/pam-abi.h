// The part of Linux-PAM's ABI that licorn_native uses, declared here so that building the
// addon needs no libpam0g-dev (a fresh Debian machine lacks it, and the demo never uses
// PAM); libpam.so.0 (package libpam0g, always installed) is opened at run time instead.
// The values are Linux-PAM's own (security/_pam_types.h): test/native/pam-abi.test.ts
// compares each one with the system's header.
#ifndef LICORN_PAM_ABI_H
#define LICORN_PAM_ABI_H

typedef struct pam_handle pam_handle_t;

struct pam_message {
  int msg_style;
  const char *msg;
};

struct pam_response {
  char *resp;
  int resp_retcode;
};

struct pam_conv {
  int (*conv)(int num_msg, const struct pam_message **msg, struct pam_response **resp, void *appdata_ptr);
  void *appdata_ptr;
};

// Return codes.
#define PAM_SUCCESS 0
#define PAM_BUF_ERR 5
#define PAM_PERM_DENIED 6
#define PAM_AUTH_ERR 7
#define PAM_USER_UNKNOWN 10
#define PAM_MAXTRIES 11
#define PAM_NEW_AUTHTOK_REQD 12
#define PAM_ACCT_EXPIRED 13
#define PAM_CONV_ERR 19
#define PAM_AUTHTOK_ERR 20
#define PAM_AUTHTOK_LOCK_BUSY 22
#define PAM_TRY_AGAIN 24
#define PAM_AUTHTOK_EXPIRED 27

// Flags.
#define PAM_SILENT 0x8000U
#define PAM_DISALLOW_NULL_AUTHTOK 0x0001U
#define PAM_CHANGE_EXPIRED_AUTHTOK 0x0020U

// Items.
#define PAM_RHOST 4
#define PAM_FAIL_DELAY 10

// Conversation message styles.
#define PAM_PROMPT_ECHO_OFF 1
#define PAM_PROMPT_ECHO_ON 2
#define PAM_ERROR_MSG 3
#define PAM_TEXT_INFO 4
#define PAM_MAX_NUM_MSG 32

#endif
