static inline int scale(int value) {
    return value * 3 + 1;
}
