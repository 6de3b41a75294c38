/* An empty function called N times, compiled with -finstrument-functions: what
 * recording one enter + one leave costs, measured from outside the recorder
 * (bench/record/run.sh runs it traced and untraced).
 *
 *   empty_calls N          calls empty() N times (2 N events when traced)
 *   empty_calls rdtsc N    reads the TSC N times: the baseline of the ratios */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#if defined(__x86_64__)
#include <x86intrin.h>
#endif

__attribute__((noinline)) void empty(void) { __asm__ volatile(""); }

__attribute__((no_instrument_function)) static unsigned long long read_tsc(void) {
#if defined(__x86_64__)
  return __rdtsc();
#else
  return 0;
#endif
}

int main(int argc, char** argv) {
  if (argc > 2 && strcmp(argv[1], "rdtsc") == 0) {
    long n = atol(argv[2]);
    unsigned long long sum = 0;
    for (long i = 0; i < n; ++i) sum += read_tsc();
    printf("%ld reads (%llu)\n", n, sum & 1);
    return 0;
  }
  long n = argc > 1 ? atol(argv[1]) : 20000000;
  for (long i = 0; i < n; ++i) empty();
  printf("%ld calls\n", n);
  return 0;
}
