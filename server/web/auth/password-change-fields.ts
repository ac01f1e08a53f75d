// The fields of a password change form, shared by "My account" and the change page at login
// (one schema, so the two forms cannot drift apart).
export const passwordChangeFields = {
  currentPassword: { type: 'string', maxLength: 4096 },
  newPassword: { type: 'string', maxLength: 4096 },
  confirmPassword: { type: 'string', maxLength: 4096 },
  _csrf: { type: 'string', maxLength: 128 },
  // The form's hidden login, there for password managers.
  username: { type: 'string', maxLength: 256 },
} as const;
