/* An empty function called N times, compiled with -finstrument-functions: what
 * recording one enter + one leave costs, measured from outside the recorder
 * (bench/record/run.sh runs it traced and untraced). */
#include <stdio.h>
#include <stdlib.h>

__attribute__((noinline)) void empty(void) { __asm__ volatile(""); }

int main(int argc, char** argv) {
  long n = argc > 1 ? atol(argv[1]) : 20000000;
  for (long i = 0; i < n; ++i) empty();
  printf("%ld calls\n", n);
  return 0;
}
