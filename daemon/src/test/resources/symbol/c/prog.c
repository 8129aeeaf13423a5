#include <stdio.h>
#include <stdlib.h>
#include "scale.h"

char *allocate_block(size_t size);

static int checksum(const char *block, size_t size) {
    int sum = 0;
    for (size_t i = 0; i < size; i++) {
        sum += scale(block[i]);
    }
    return sum;
}

int main(int argc, char **argv) {
    size_t size = (size_t) argc * 4096;
    char *block = allocate_block(size);
    printf("%d\n", checksum(block, size));
    free(block);
    return 0;
}
