/* Adds a key to the user and session keyrings (keys outlive the process). */
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>
int main(void) {
    long user = syscall(SYS_add_key, "user", "@MARKER@", "v", 1, -4);    /* KEY_SPEC_USER_KEYRING */
    long session = syscall(SYS_add_key, "user", "@MARKER@", "v", 1, -3); /* SESSION */
    long joined = syscall(SYS_keyctl, 1, "@MARKER@");                     /* JOIN_SESSION_KEYRING */
    puts(user < 0 && session < 0 && joined < 0 ? "blocked" : "escaped");
    return 0;
}
