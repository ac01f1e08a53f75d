// The PAM service file to install as /etc/pam.d/licorn for `root = "/"` (the README shows
// it too): Debian's common stacks, so logins (auth, then account) and an account's own
// password changes (password: chauthtok) through the WMI follow the machine's policy.
export const pamServiceFile = `# /etc/pam.d/licorn: Licorn WMI logins and own password changes
@include common-auth
@include common-account
@include common-password
`;
