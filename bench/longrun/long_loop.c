/* A long instrumented loop for bench/longrun/run.sh: N calls of step(), each of
 * which calls work() and, every 7th and 13th time, also extra(); compiled with
 * -finstrument-functions, so a traced run records 2 events per call:
 * 4 N + 2 ceil(N/7) + 2 ceil(N/13) + 2 (main) in all. The two periods keep the
 * grammar from collapsing into one flat loop, and every event still gets its
 * own timestamp, so the trace grows with N as a real run's does.
 *
 *   long_loop N */
#include <stdio.h>
#include <stdlib.h>

static volatile unsigned long sink;

__attribute__((noinline)) void work(unsigned long i) { sink += i; }
__attribute__((noinline)) void extra(unsigned long i) { sink ^= i; }

__attribute__((noinline)) void step(unsigned long i) {
  work(i);
  if (i % 7 == 0) extra(i);
  if (i % 13 == 0) extra(i + 1);
}

int main(int argc, char** argv) {
  unsigned long n = argc > 1 ? strtoul(argv[1], NULL, 10) : 1000000;
  for (unsigned long i = 0; i < n; ++i) step(i);
  printf("%lu steps (%lu)\n", n, sink & 1);
  return 0;
}
