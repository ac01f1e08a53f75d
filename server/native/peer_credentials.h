// The peer credentials reader of licorn_native (peer_credentials.c).
#ifndef LICORN_PEER_CREDENTIALS_H
#define LICORN_PEER_CREDENTIALS_H
#include <node_api.h>

// Adds getPeerCredentials to the addon's exports.
void register_peer_credentials(napi_env env, napi_value exports);

#endif
