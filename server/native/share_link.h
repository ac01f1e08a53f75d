// The maker of members' share links of licorn_native (share_link.c).
#ifndef LICORN_SHARE_LINK_H
#define LICORN_SHARE_LINK_H
#include <node_api.h>

// Adds makeLinkAs to the addon's exports.
void register_share_link(napi_env env, napi_value exports);

#endif
