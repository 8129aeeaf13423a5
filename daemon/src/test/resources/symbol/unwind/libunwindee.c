/* Called from unwindee through its PLT; calls back into it, so a stack crosses both files twice. */
volatile long library_sink;

__attribute__((noinline)) void library_calls_back(void (*callback)(void))
{
	callback();
	library_sink++;
}
