/* Opens an AF_VSOCK socket (a channel to the hypervisor). */
#include <stdio.h>
#include <sys/socket.h>
int main(void) {
    puts(socket(40 /* AF_VSOCK */, SOCK_STREAM, 0) >= 0 ? "escaped" : "blocked");
    return 0;
}
