// The fixed part of the demo sandbox's /etc: a Debian 12 base system's accounts and settings.

export const basePasswd = `root:x:0:0:root:/root:/bin/bash
daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin
bin:x:2:2:bin:/bin:/usr/sbin/nologin
sys:x:3:3:sys:/dev:/usr/sbin/nologin
sync:x:4:65534:sync:/bin:/bin/sync
games:x:5:60:games:/usr/games:/usr/sbin/nologin
man:x:6:12:man:/var/cache/man:/usr/sbin/nologin
lp:x:7:7:lp:/var/spool/lpd:/usr/sbin/nologin
mail:x:8:8:mail:/var/mail:/usr/sbin/nologin
news:x:9:9:news:/var/spool/news:/usr/sbin/nologin
proxy:x:13:13:proxy:/bin:/usr/sbin/nologin
www-data:x:33:33:www-data:/var/www:/usr/sbin/nologin
backup:x:34:34:backup:/var/backups:/usr/sbin/nologin
_apt:x:42:65534::/nonexistent:/usr/sbin/nologin
nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin
systemd-network:x:998:998:systemd Network Management:/:/usr/sbin/nologin
messagebus:x:100:107::/nonexistent:/usr/sbin/nologin
sshd:x:101:65534::/run/sshd:/usr/sbin/nologin
`;

export const baseGroups: [name: string, gid: number][] = [
  ['root', 0],
  ['daemon', 1],
  ['bin', 2],
  ['sys', 3],
  ['adm', 4],
  ['tty', 5],
  ['disk', 6],
  ['lp', 7],
  ['mail', 8],
  ['news', 9],
  ['man', 12],
  ['proxy', 13],
  ['kmem', 15],
  ['cdrom', 24],
  ['sudo', 27],
  ['audio', 29],
  ['www-data', 33],
  ['backup', 34],
  ['shadow', 42],
  ['utmp', 43],
  ['video', 44],
  ['plugdev', 46],
  ['staff', 50],
  ['games', 60],
  ['users', 100],
  ['messagebus', 107],
  ['systemd-network', 998],
  ['nogroup', 65534],
];

export const loginDefs = `# /etc/login.defs - configuration of the shadow suite (demo sandbox of Licorn WMI)
MAIL_DIR        /var/mail
FAILLOG_ENAB    yes
LOG_UNKFAIL_ENAB no
LOG_OK_LOGINS   no
SYSLOG_SU_ENAB  yes
SYSLOG_SG_ENAB  yes
FTMP_FILE       /var/log/btmp
SU_NAME         su
HUSHLOGIN_FILE  .hushlogin
ENV_SUPATH      PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
ENV_PATH        PATH=/usr/local/bin:/usr/bin:/bin:/usr/local/games:/usr/games
TTYGROUP        tty
TTYPERM         0600
ERASECHAR       0177
KILLCHAR        025
UMASK           022
HOME_MODE       0700
PASS_MAX_DAYS   99999
PASS_MIN_DAYS   0
PASS_WARN_AGE   7
UID_MIN                  1000
UID_MAX                 29999
SYS_UID_MIN               100
SYS_UID_MAX               999
GID_MIN                 10000
GID_MAX                 29999
SYS_GID_MIN               100
SYS_GID_MAX              9999
SUB_UID_MIN            100000
SUB_UID_MAX         600100000
SUB_UID_COUNT           65536
SUB_GID_MIN            100000
SUB_GID_MAX         600100000
SUB_GID_COUNT           65536
LOGIN_RETRIES   5
LOGIN_TIMEOUT   60
CHFN_RESTRICT   rwh
DEFAULT_HOME    yes
USERGROUPS_ENAB no
ENCRYPT_METHOD  YESCRYPT
YESCRYPT_COST_FACTOR 5
`;

export const shells = `# /etc/shells: valid login shells
/bin/sh
/usr/bin/sh
/bin/bash
/usr/bin/bash
/bin/rbash
/usr/bin/rbash
/bin/dash
/usr/bin/dash
/usr/bin/zsh
`;

export const skelFiles: Record<string, string> = {
  '.bash_logout':
    '# ~/.bash_logout: executed by bash(1) when login shell exits.\n' +
    'if [ "$SHLVL" = 1 ]; then\n' +
    '    [ -x /usr/bin/clear_console ] && /usr/bin/clear_console -q\n' +
    'fi\n',
  '.bashrc':
    '# ~/.bashrc: executed by bash(1) for non-login shells.\n' +
    'case $- in\n' +
    '    *i*) ;;\n' +
    '      *) return;;\n' +
    'esac\n' +
    'HISTCONTROL=ignoreboth\n' +
    'shopt -s histappend\n' +
    'HISTSIZE=1000\n' +
    'HISTFILESIZE=2000\n' +
    "PS1='\\u@\\h:\\w\\$ '\n",
  '.profile':
    '# ~/.profile: executed by the command interpreter for login shells.\n' +
    'if [ -n "$BASH_VERSION" ] && [ -f "$HOME/.bashrc" ]; then\n' +
    '    . "$HOME/.bashrc"\n' +
    'fi\n' +
    'if [ -d "$HOME/bin" ] ; then\n' +
    '    PATH="$HOME/bin:$PATH"\n' +
    'fi\n',
};
