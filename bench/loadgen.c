// Load for the ring drain benchmark: after one byte on stdin, getppid() N times on one CPU,
// then prints "elapsed_ns calls".
#define _GNU_SOURCE
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include <sys/syscall.h>

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: loadgen CALLS CPU\n");
		return 2;
	}
	long calls = atol(argv[1]);
	cpu_set_t cpus;
	CPU_ZERO(&cpus);
	CPU_SET(atoi(argv[2]), &cpus);
	if (sched_setaffinity(0, sizeof(cpus), &cpus)) {
		perror("loadgen: sched_setaffinity");
		return 1;
	}
	char go;
	if (read(0, &go, 1) != 1)
		return 1;
	struct timespec start, end;
	clock_gettime(CLOCK_MONOTONIC, &start);   /* vDSO: no syscall, so not traced */
	for (long i = 0; i < calls; i++)
		syscall(SYS_getppid);   /* the libc wrapper may be cached; the raw syscall never is */
	clock_gettime(CLOCK_MONOTONIC, &end);
	printf("%ld %ld\n", (end.tv_sec - start.tv_sec) * 1000000000L + (end.tv_nsec - start.tv_nsec), calls);
	return 0;
}
