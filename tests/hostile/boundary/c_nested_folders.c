/* 1,500 nested folders left in the run folder. */
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>
int main(void) {
    for (int i = 0; i < 1500; i++) {
        if (mkdir("d", 0700) != 0 || chdir("d") != 0) { puts("stopped"); return 0; }
    }
    puts("deep");
    return 0;
}
