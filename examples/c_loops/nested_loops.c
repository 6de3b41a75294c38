/* Nested loops with varying trip counts, instrumented by the compiler
 * (-finstrument-functions). `rondo print --grammar` shows the loop structure:
 * one outer loop of `steps` iterations whose body holds an inner loop that runs
 * 1 to 4 times (the trip count varies each iteration, the loop stays one loop). */
#include <stdio.h>
#include <stdlib.h>

static volatile double sink;

static void relax(int i) { sink += i * 0.5; }
static void exchange(void) { sink *= 0.999; }
static void reduce(void) { sink -= 1.0; }

static void step(int i) {
  for (int j = 0; j < 1 + i % 4; ++j) relax(j);
  exchange();
  if (i % 10 == 9) reduce();
}

int main(int argc, char **argv) {
  int steps = argc > 1 ? atoi(argv[1]) : 1000;
  for (int i = 0; i < steps; ++i) step(i);
  printf("nested_loops: %d steps, result %.3f\n", steps, sink);
  return 0;
}
