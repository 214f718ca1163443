/* Attaches a loop block device to a file of its own and leaves it attached. */
#include <fcntl.h>
#include <linux/loop.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <unistd.h>
int main(void) {
    int backing = open("@MARKER@.img", O_RDWR | O_CREAT, 0600);
    if (backing >= 0) ftruncate(backing, 1 << 20);
    int control = open("/dev/loop-control", O_RDWR);
    int n = control >= 0 ? ioctl(control, LOOP_CTL_GET_FREE) : -1;
    char path[64];
    snprintf(path, sizeof path, "/dev/loop%d", n >= 0 ? n : 0);
    int loop = open(path, O_RDWR);
    if (loop >= 0 && backing >= 0 && ioctl(loop, LOOP_SET_FD, backing) == 0) {
        puts("escaped");
        return 0;
    }
    puts("blocked");
    return 0;
}
