// licorn_native's PAM transactions: pamLogin, pamChangePassword, pamAccount (pam_jobs.h).
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "pam-abi.h"
#include "pam_jobs.h"
#include "string_arg.h"

// One PAM transaction on a libuv worker thread (pam_unix spends ~2 s on a wrong password in
// its own code paths and yescrypt's cost in ours: never on the event loop). The
// conversation answers the hidden prompts (PAM_PROMPT_ECHO_OFF) with the given passwords in
// order, refuses visible ones, and keeps PAM's messages ("You must wait longer to change
// your password") for the caller. PAM_FAIL_DELAY is set to a function that does not sleep:
// the caller pads every refusal to one fixed delay, whatever PAM's reason.

// libpam's functions, found in libpam.so.0 at the first PAM call (on the main thread, before
// any worker uses them).
static struct {
  int (*start)(const char *service, const char *user, const struct pam_conv *conv, pam_handle_t **handle);
  int (*end)(pam_handle_t *handle, int status);
  int (*set_item)(pam_handle_t *handle, int type, const void *item);
  int (*authenticate)(pam_handle_t *handle, int flags);
  int (*acct_mgmt)(pam_handle_t *handle, int flags);
  int (*chauthtok)(pam_handle_t *handle, int flags);
} pam;

// Opens libpam.so.0 once; NULL when every function was found, else why not.
static const char *load_pam(void) {
  static int tried = 0;
  static const char *failure = NULL;
  if (tried) return failure;
  tried = 1;
  void *library = dlopen("libpam.so.0", RTLD_NOW | RTLD_GLOBAL);
  if (library == NULL) return failure = "PAM: cannot open libpam.so.0 (Debian package libpam0g)";
  struct { void **slot; const char *name; } symbols[] = {
    {(void **)&pam.start, "pam_start"}, {(void **)&pam.end, "pam_end"},
    {(void **)&pam.set_item, "pam_set_item"}, {(void **)&pam.authenticate, "pam_authenticate"},
    {(void **)&pam.acct_mgmt, "pam_acct_mgmt"}, {(void **)&pam.chauthtok, "pam_chauthtok"},
  };
  for (size_t i = 0; i < sizeof symbols / sizeof symbols[0]; i++) {
    *symbols[i].slot = dlsym(library, symbols[i].name);
    if (*symbols[i].slot == NULL) return failure = "PAM: libpam.so.0 lacks a function licorn needs";
  }
  return NULL;
}

#define PAM_MAX_ANSWERS 3
#define PAM_MESSAGES_SIZE 2048

typedef enum { PAM_JOB_LOGIN, PAM_JOB_CHANGE, PAM_JOB_ACCOUNT } pam_job_kind;

typedef struct {
  napi_async_work work;
  napi_deferred deferred;
  pam_job_kind kind;
  char *service;
  char *user;
  char *rhost;
  char *answers[PAM_MAX_ANSWERS];
  int answer_count;
  int answered;
  const char *step;
  int code;
  char messages[PAM_MESSAGES_SIZE];
} pam_job;

static void free_pam_job(pam_job *job) {
  for (int i = 0; i < PAM_MAX_ANSWERS; i++) {
    if (job->answers[i] != NULL) {
      explicit_bzero(job->answers[i], strlen(job->answers[i]));
      free(job->answers[i]);
    }
  }
  free(job->service);
  free(job->user);
  free(job->rhost);
  free(job);
}

static void append_message(pam_job *job, const char *text) {
  if (text == NULL || text[0] == '\0') return;
  size_t used = strlen(job->messages);
  if (used > 0 && used + 1 < sizeof job->messages) job->messages[used++] = '\n';
  snprintf(job->messages + used, sizeof job->messages - used, "%s", text);
}

static int converse(int count, const struct pam_message **messages, struct pam_response **responses,
                    void *data) {
  pam_job *job = data;
  if (count <= 0 || count > PAM_MAX_NUM_MSG) return PAM_CONV_ERR;
  struct pam_response *replies = calloc((size_t)count, sizeof *replies);
  if (replies == NULL) return PAM_BUF_ERR;
  for (int i = 0; i < count; i++) {
    switch (messages[i]->msg_style) {
      case PAM_PROMPT_ECHO_OFF:
        // More prompts than passwords (pam_unix asking again after a refused new password):
        // give up; the refusal's message is already kept.
        if (job->answered >= job->answer_count) goto fail;
        replies[i].resp = strdup(job->answers[job->answered++]);
        if (replies[i].resp == NULL) goto fail;
        break;
      case PAM_ERROR_MSG:
      case PAM_TEXT_INFO:
        append_message(job, messages[i]->msg);
        break;
      default:
        // A visible prompt (a user name, a token code) is nothing we can answer.
        goto fail;
    }
  }
  *responses = replies;
  return PAM_SUCCESS;
fail:
  for (int i = 0; i < count; i++) {
    if (replies[i].resp != NULL) {
      explicit_bzero(replies[i].resp, strlen(replies[i].resp));
      free(replies[i].resp);
    }
  }
  free(replies);
  return PAM_CONV_ERR;
}

// Called by libpam instead of sleeping after a failure: the caller pads every refusal itself.
static void skip_fail_delay(int status, unsigned int delay, void *data) {
  (void)status;
  (void)delay;
  (void)data;
}

static void execute_pam(napi_env env, void *arg) {
  (void)env;
  pam_job *job = arg;
  struct pam_conv conversation = {converse, job};
  pam_handle_t *handle = NULL;
  job->step = "start";
  job->code = pam.start(job->service, job->user, &conversation, &handle);
  if (job->code != PAM_SUCCESS) return;
  void (*delay_function)(int, unsigned int, void *) = skip_fail_delay;
  job->code = pam.set_item(handle, PAM_RHOST, job->rhost);
  if (job->code == PAM_SUCCESS) job->code = pam.set_item(handle, PAM_FAIL_DELAY, *(void **)&delay_function);
  if (job->code == PAM_SUCCESS && job->kind == PAM_JOB_LOGIN) {
    job->step = "authenticate";
    job->code = pam.authenticate(handle, PAM_SILENT | PAM_DISALLOW_NULL_AUTHTOK);
    if (job->code == PAM_SUCCESS) {
      job->step = "account";
      job->code = pam.acct_mgmt(handle, PAM_DISALLOW_NULL_AUTHTOK);
    }
  } else if (job->code == PAM_SUCCESS && job->kind == PAM_JOB_ACCOUNT) {
    // The account stage alone: a caller the kernel (SO_PEERCRED) or an API token vouches for.
    job->step = "account";
    job->code = pam.acct_mgmt(handle, PAM_SILENT);
  } else if (job->code == PAM_SUCCESS) {
    // PAM_CHANGE_EXPIRED_AUTHTOK: as `passwd` run by the account itself (and `login` with
    // an expired password), not as root: pam_unix then asks and checks the current
    // password and applies the minimum age and its checks of the new one.
    job->step = "chauthtok";
    job->code = pam.chauthtok(handle, PAM_CHANGE_EXPIRED_AUTHTOK);
  }
  pam.end(handle, job->code);
}

// The PAM result codes the caller tells apart; any other is "error".
static const char *get_pam_code_name(int code) {
  switch (code) {
    case PAM_SUCCESS: return "success";
    case PAM_AUTH_ERR: return "auth-err";
    case PAM_USER_UNKNOWN: return "user-unknown";
    case PAM_MAXTRIES: return "maxtries";
    case PAM_NEW_AUTHTOK_REQD: return "new-authtok-reqd";
    case PAM_ACCT_EXPIRED: return "acct-expired";
    case PAM_AUTHTOK_EXPIRED: return "authtok-expired";
    case PAM_PERM_DENIED: return "perm-denied";
    case PAM_AUTHTOK_ERR: return "authtok-err";
    case PAM_AUTHTOK_LOCK_BUSY: return "authtok-lock-busy";
    case PAM_TRY_AGAIN: return "try-again";
    case PAM_CONV_ERR: return "conv-err";
    default: return "error";
  }
}

static void complete_pam(napi_env env, napi_status status, void *arg) {
  pam_job *job = arg;
  napi_value result, value;
  if (status != napi_ok) {
    napi_value message;
    napi_create_string_utf8(env, "pam: the worker was cancelled", NAPI_AUTO_LENGTH, &message);
    napi_create_error(env, NULL, message, &result);
    napi_reject_deferred(env, job->deferred, result);
  } else {
    napi_create_object(env, &result);
    napi_create_string_utf8(env, job->step, NAPI_AUTO_LENGTH, &value);
    napi_set_named_property(env, result, "step", value);
    napi_create_string_utf8(env, get_pam_code_name(job->code), NAPI_AUTO_LENGTH, &value);
    napi_set_named_property(env, result, "code", value);
    napi_create_string_utf8(env, job->messages, NAPI_AUTO_LENGTH, &value);
    napi_set_named_property(env, result, "messages", value);
    napi_resolve_deferred(env, job->deferred, result);
  }
  napi_delete_async_work(env, job->work);
  free_pam_job(job);
}

// pam(kind, service, user, remoteHost, ...passwords) for both exports below.
static napi_value start_pam_job(napi_env env, napi_callback_info info, pam_job_kind kind) {
  size_t argc = 6;
  napi_value argv[6];
  CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  size_t needed = kind == PAM_JOB_ACCOUNT ? 3 : kind == PAM_JOB_LOGIN ? 4 : 5;
  if (argc < needed) {
    napi_throw_type_error(env, NULL,
      kind == PAM_JOB_ACCOUNT ? "pamAccount(service, user, remoteHost) needs three strings"
      : kind == PAM_JOB_LOGIN ? "pamLogin(service, user, remoteHost, password) needs four strings"
      : "pamChangePassword(service, user, remoteHost, oldPassword, newPassword) needs five strings");
    return NULL;
  }
  const char *failure = load_pam();
  if (failure != NULL) {
    napi_throw_error(env, NULL, failure);
    return NULL;
  }
  pam_job *job = calloc(1, sizeof *job);
  if (job == NULL) {
    napi_throw_error(env, NULL, "out of memory");
    return NULL;
  }
  job->kind = kind;
  if ((job->service = get_string_arg(env, argv[0], "service")) == NULL
      || (job->user = get_string_arg(env, argv[1], "user")) == NULL
      || (job->rhost = get_string_arg(env, argv[2], "remoteHost")) == NULL) {
    free_pam_job(job);
    return NULL;
  }
  // The new password is asked twice (new, then retyped).
  napi_value sources[PAM_MAX_ANSWERS] = {argv[3], argv[4], argv[4]};
  job->answer_count = kind == PAM_JOB_ACCOUNT ? 0 : kind == PAM_JOB_LOGIN ? 1 : 3;
  for (int i = 0; i < job->answer_count; i++) {
    job->answers[i] = get_string_arg(env, sources[i], "password");
    if (job->answers[i] == NULL) {
      free_pam_job(job);
      return NULL;
    }
  }
  napi_value promise, name;
  CHECK(env, napi_create_promise(env, &job->deferred, &promise));
  CHECK(env, napi_create_string_utf8(env, "licorn-pam", NAPI_AUTO_LENGTH, &name));
  CHECK(env, napi_create_async_work(env, NULL, name, execute_pam, complete_pam, job, &job->work));
  CHECK(env, napi_queue_async_work(env, job->work));
  return promise;
}

static napi_value pam_login(napi_env env, napi_callback_info info) {
  return start_pam_job(env, info, PAM_JOB_LOGIN);
}

static napi_value pam_change_password(napi_env env, napi_callback_info info) {
  return start_pam_job(env, info, PAM_JOB_CHANGE);
}

static napi_value pam_account(napi_env env, napi_callback_info info) {
  return start_pam_job(env, info, PAM_JOB_ACCOUNT);
}

void register_pam_jobs(napi_env env, napi_value exports) {
  napi_property_descriptor properties[] = {
    {"pamLogin", NULL, pam_login, NULL, NULL, NULL, napi_enumerable, NULL},
    {"pamChangePassword", NULL, pam_change_password, NULL, NULL, NULL, napi_enumerable, NULL},
    {"pamAccount", NULL, pam_account, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  napi_define_properties(env, exports, 3, properties);
}
