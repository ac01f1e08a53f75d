// The PAM service file to install as /etc/pam.d/licorn for `root = "/"` (the README shows
// it too): Debian's common stacks, so login through the WMI follows the machine's policy.
export const pamServiceFile = `# /etc/pam.d/licorn: Licorn WMI logins
@include common-auth
@include common-account
`;
