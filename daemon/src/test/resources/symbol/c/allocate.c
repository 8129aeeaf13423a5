#include <stdlib.h>
#include <string.h>

char *allocate_block(size_t size) {
    char *block = malloc(size);
    if (block != NULL) {
        memset(block, 7, size);
    }
    return block;
}
