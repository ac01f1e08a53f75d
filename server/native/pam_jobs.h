// licorn_native's PAM transactions (pam_jobs.c).
#ifndef LICORN_PAM_JOBS_H
#define LICORN_PAM_JOBS_H
#include <node_api.h>

// Adds pamLogin, pamChangePassword and pamAccount to the addon's exports.
void register_pam_jobs(napi_env env, napi_value exports);

#endif
