// Where a session whose password must be changed first is sent (and the only page it may use,
// with logout): a public route that checks the session itself.
export const changePasswordPath = '/login/password';
