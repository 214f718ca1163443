/* Opens /dev/kvm and asks for the KVM API version (a usable hypervisor). */
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdio.h>
#include <sys/ioctl.h>
int main(void) {
    int fd = open("/dev/kvm", O_RDWR);
    if (fd >= 0 && ioctl(fd, KVM_GET_API_VERSION, 0) > 0) { puts("escaped"); return 0; }
    puts("blocked");
    return 0;
}
